"""Seed the default fee schedule (PROCEDURE.md, "Facts from practice"): data, editable in the admin.

First application free; reissue after loss 20 yuan; replacement for damage 20 yuan; replacement for a
quality defect or an information change free; renewal (expiry) free; PIN change, unlock and loss report
free.  Anything without a rule is free.  Existing rows are left alone, so re-running never overwrites
an admin's edit.
"""

from django.db import migrations

DEFAULT_SCHEDULE = [
    # (business, reason ("" = any), amount_fen, note)
    ("apply", "", 0, "首次申领免费"),
    ("reissue", "lost", 2000, "丢失补领收取工本费"),
    ("replace", "damaged", 2000, "损坏换领收取工本费"),
    ("replace", "quality_defect", 0, "卡片质量问题换领免费"),
    ("replace", "info_change", 0, "信息变更换领免费"),
    ("renew", "", 0, "到期换发免费"),
    ("pin_change", "", 0, "密码修改免费"),
    ("unlock", "", 0, "解锁免费"),
    ("loss_report", "", 0, "挂失免费"),
]


def seed(apps, schema_editor):
    FeeRule = apps.get_model("fees", "FeeRule")
    for business, reason, amount_fen, note in DEFAULT_SCHEDULE:
        FeeRule.objects.get_or_create(business=business, reason=reason,
                                      defaults={"amount_fen": amount_fen, "note": note, "is_active": True})


def unseed(apps, schema_editor):
    FeeRule = apps.get_model("fees", "FeeRule")
    for business, reason, amount_fen, note in DEFAULT_SCHEDULE:
        FeeRule.objects.filter(business=business, reason=reason, amount_fen=amount_fen, note=note).delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
