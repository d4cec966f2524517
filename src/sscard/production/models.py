"""Central production of batch cards: orders, their items, the exchange files, card-number allocation.

A ``ProductionOrder`` groups accepted batch rows of one batch and one service bank; each row is a
``ProductionItem`` that passes the bank (account opening) and the card vendor (chip and print) by files
out and result files back, then travels to the submitting outlet for pick-up.  ``ExchangeRecord`` keeps
one row per file written or imported (its SHA-256 makes re-importing a result file a no-op).  Only
``services`` write these rows.
"""

from django.db import models
from django.db.models import Q

from sscard.core.fields import EncryptedTextField
from sscard.production.choices import FailureStage, ItemStage, OrderStage


class ProductionOrder(models.Model):
    order_no = models.CharField("制卡批次号", max_length=24, unique=True)
    batch = models.ForeignKey("batches.Batch", on_delete=models.PROTECT, related_name="orders",
                              verbose_name="单位批量业务")
    bank = models.CharField("服务银行", max_length=40)
    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+",
                               verbose_name="领卡网点")
    stage = models.CharField("进度", max_length=12, choices=OrderStage.choices, db_index=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True, db_index=True)
    created_at = models.DateTimeField("生成时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "制卡批次"

    def __str__(self):
        return self.order_no


class ProductionItem(models.Model):
    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="items",
                              verbose_name="制卡批次")
    item_no = models.CharField("明细序号", max_length=8, help_text="批次内编号，如 000001")  # order-local
    request = models.OneToOneField("desk.ServiceRequest", on_delete=models.PROTECT,
                                   related_name="production_item", verbose_name="业务")
    batch_row = models.OneToOneField("batches.BatchRow", on_delete=models.PROTECT,
                                     related_name="production_item", verbose_name="批量明细行")
    stage = models.CharField("进度", max_length=12, choices=ItemStage.choices, db_index=True)
    failure_stage = models.CharField("失败环节", max_length=8, choices=FailureStage.choices, blank=True)
    failure_code = models.CharField("失败代码", max_length=10, blank=True, help_text="银行或卡商回盘中的失败代码")
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    account_no = EncryptedTextField("银行账号", blank=True, help_text="加密保存，后台不显示")
    card_no = models.CharField("社会保障卡号", max_length=9, blank=True)
    card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="社会保障卡")
    picked_up_at = models.DateTimeField("领取时间", null=True, blank=True)
    activation_due_at = models.DateTimeField("自动启用时间", null=True, blank=True, db_index=True,
                                             help_text="领取后满规定时长（默认 96 小时）自动启用")
    # when the activation sweep dealt with the card: activated, or skipped (audited) because the card had
    # already left ``made`` (reported lost, cancelled, activated at a window)
    activated_at = models.DateTimeField("自动启用处理时间", null=True, blank=True,
                                        help_text="到期处理的时间：已启用，或因卡已挂失、注销、在窗口启用而跳过")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "制卡明细"
        constraints = [
            models.UniqueConstraint(fields=["order", "item_no"], name="production_item_no_once"),
            models.UniqueConstraint(fields=["card_no"], condition=~Q(card_no=""), name="production_card_no_once"),
        ]
        # the activation sweep's work list, read in id order (keyset): picked up and not yet dealt with
        indexes = [models.Index(fields=["id"], name="item_activation_waiting",
                                condition=Q(stage=ItemStage.PICKED_UP, activated_at__isnull=True))]

    def __str__(self):
        return f"{self.order_id}/{self.item_no}"


class ExchangeRecord(models.Model):
    """One exchange file: written to the outbox, or a result file imported from the inbox."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="exchanges",
                              verbose_name="制卡批次")
    # bank_out | bank_result | vendor_out | vendor_result
    kind = models.CharField("文件类别", max_length=16,
                            help_text="bank_out 银行报盘，bank_result 银行回盘，vendor_out 卡商报盘，vendor_result 卡商回盘")
    name = models.CharField("文件名", max_length=100)
    sha256 = models.CharField("文件 SHA-256 摘要", max_length=64, help_text="同一回盘文件重复导入时据此识别")
    rows = models.PositiveIntegerField("总行数")
    ok_rows = models.PositiveIntegerField("成功行数", default=0)
    failed_rows = models.PositiveIntegerField("失败行数", default=0)
    created_at = models.DateTimeField("生成或导入时间")

    class Meta:
        verbose_name = verbose_name_plural = "报盘回盘文件"
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="exchange_once_per_kind")]


class CardNumberBlock(models.Model):
    """The next card number to hand out centrally (one row per prefix letter), locked while allocating."""

    prefix = models.CharField("卡号前缀字母", max_length=1, unique=True)
    next_value = models.PositiveIntegerField("下一个序号")

    class Meta:
        verbose_name = verbose_name_plural = "卡号分配段"
