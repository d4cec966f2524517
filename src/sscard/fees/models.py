"""Fee schedule, payments and offsets.

PROCEDURE.md: the fee is paid or offset (清缴或抵扣) at the window; amounts come from a configurable
schedule (``FeeRule``), kept as data so a price change is an admin edit, never a code change.
"""

from django.db import models

from sscard.core.fields import UpdatedAtField
from sscard.fees.choices import PaymentMethod
from sscard.policy.choices import Business, CardReason


class FeeRule(models.Model):
    """The fee of one business, optionally for one reason (blank reason = any reason of that business).

    Rule: the most specific active rule wins (business + reason, then business + any); without a rule
    the business is free.  Amounts are in fen (分), never negative.
    """

    business = models.CharField("业务事项", max_length=20, choices=Business.choices)
    reason = models.CharField("补换原因", max_length=20, choices=CardReason.choices, blank=True, default="",
                              help_text="留空表示该业务的任意原因")
    amount_fen = models.PositiveIntegerField("金额（分）", default=0, help_text="以分计，如 2000 表示 20.00 元")
    note = models.CharField("备注", max_length=200, blank=True)
    is_active = models.BooleanField("有效", default=True, help_text="停用后该标准不再适用；无适用标准的业务免费")
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        ordering = ["business", "reason"]
        verbose_name = "收费标准"
        verbose_name_plural = "收费标准"
        constraints = [
            models.UniqueConstraint(fields=["business", "reason"], name="fees_rule_business_reason_unique"),
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0),
                                   name="fees_rule_amount_non_negative"),
        ]

    def __str__(self):
        reason = self.get_reason_display() if self.reason else "任意原因"
        return f"{self.get_business_display()}（{reason}）{self.amount_fen / 100:.2f} 元"


class Payment(models.Model):
    """A settled fee: paid, or offset against a voucher (抵扣凭证, ``offset_reference`` required).

    Rows are written once by ``payment_record`` and never edited; the receipt number is unique.  Actor
    name/role and the payer's masked name are copies so the receipt survives later changes.
    """

    receipt_no = models.CharField("收据编号", max_length=40, unique=True)
    amount_fen = models.PositiveIntegerField("金额（分）")
    method = models.CharField("方式", max_length=10, choices=PaymentMethod.choices)
    offset_reference = models.CharField("抵扣凭证号", max_length=64, blank=True, help_text="抵扣时必填")
    paid_by_name = models.CharField("缴费人", max_length=50, blank=True, help_text="缴费人姓名（脱敏）")
    subject_type = models.CharField("业务对象类型", max_length=40)
    subject_id = models.CharField("业务对象编号", max_length=40)
    person_id = models.BigIntegerField("人员编号", null=True, blank=True, db_index=True)
    actor_kind = models.CharField("操作者类别", max_length=10)
    actor_name = models.CharField("收费人员", max_length=100)
    actor_role = models.CharField("收费人员角色", max_length=20)
    channel = models.CharField("渠道", max_length=16)
    outlet_id = models.BigIntegerField("网点编号", null=True, blank=True)
    created_at = models.DateTimeField("收费时间")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "缴费/抵扣记录"
        verbose_name_plural = "缴费/抵扣记录"
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="fees_payment_subject_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gte=0),
                                   name="fees_payment_amount_non_negative"),
            models.CheckConstraint(condition=models.Q(method__in=PaymentMethod.values),
                                   name="fees_payment_method_valid"),
            models.CheckConstraint(condition=~models.Q(method=PaymentMethod.OFFSET, offset_reference=""),
                                   name="fees_payment_offset_has_reference"),
        ]

    def __str__(self):
        return f"{self.receipt_no} {self.amount_fen / 100:.2f} 元（{self.get_method_display()}）"


class ReceiptSequence(models.Model):
    """Last receipt sequence number used per local day and outlet; locked while the next one is taken."""

    day = models.DateField("日期")
    outlet_key = models.BigIntegerField("网点编号", help_text="网点 ID；无网点（APP、系统）为 0")
    last = models.PositiveIntegerField("已用最大序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "收据序号"
        constraints = [
            models.UniqueConstraint(fields=["day", "outlet_key"], name="fees_receipt_sequence_unique"),
        ]
