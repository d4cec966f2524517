from django.db import migrations, models
from django.db.models import F


def originals_are_the_stored_bytes(apps, schema_editor):
    """Rows archived before the watermark hold the bytes as received: their original digest is theirs."""
    apps.get_model("archive", "ArchiveItem").objects.update(original_sha256=F("sha256"))


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0003_verbose_names_zh"),
    ]

    operations = [
        migrations.AddField(
            model_name="archiveitem",
            name="original_sha256",
            field=models.CharField(default="", max_length=64, verbose_name="原始文件 SHA-256 摘要",
                                   help_text="收到时（加盖核对水印前）的文件字节摘要"),
            preserve_default=False,
        ),
        migrations.RunPython(originals_are_the_stored_bytes, migrations.RunPython.noop),
    ]
