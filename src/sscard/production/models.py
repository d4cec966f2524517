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
    batch = models.ForeignKey("batches.Batch", on_delete=models.PROTECT, related_name="orders")
    bank = models.CharField("服务银行", max_length=40)
    outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=12, choices=OrderStage.choices, db_index=True)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "制卡批次"

    def __str__(self):
        return self.order_no


class ProductionItem(models.Model):
    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="items")
    item_no = models.CharField(max_length=8)  # order-local, e.g. 000001
    request = models.OneToOneField("desk.ServiceRequest", on_delete=models.PROTECT, related_name="production_item")
    batch_row = models.OneToOneField("batches.BatchRow", on_delete=models.PROTECT, related_name="production_item")
    stage = models.CharField(max_length=12, choices=ItemStage.choices, db_index=True)
    failure_stage = models.CharField(max_length=8, choices=FailureStage.choices, blank=True)
    failure_code = models.CharField(max_length=10, blank=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    account_no = EncryptedTextField(blank=True)
    card_no = models.CharField(max_length=9, blank=True)
    card = models.ForeignKey("cards.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    picked_up_at = models.DateTimeField(null=True, blank=True)
    activation_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # when the activation sweep dealt with the card: activated, or skipped (audited) because the card had
    # already left ``made`` (reported lost, cancelled, activated at a window)
    activated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "制卡明细"
        constraints = [
            models.UniqueConstraint(fields=["order", "item_no"], name="production_item_no_once"),
            models.UniqueConstraint(fields=["card_no"], condition=~Q(card_no=""), name="production_card_no_once"),
        ]

    def __str__(self):
        return f"{self.order_id}/{self.item_no}"


class ExchangeRecord(models.Model):
    """One exchange file: written to the outbox, or a result file imported from the inbox."""

    order = models.ForeignKey(ProductionOrder, on_delete=models.PROTECT, related_name="exchanges")
    kind = models.CharField(max_length=16)  # bank_out | bank_result | vendor_out | vendor_result
    name = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    ok_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "报盘回盘文件"
        constraints = [models.UniqueConstraint(fields=["order", "kind"], name="exchange_once_per_kind")]


class CardNumberBlock(models.Model):
    """The next card number to hand out centrally (one row per prefix letter), locked while allocating."""

    prefix = models.CharField(max_length=1, unique=True)
    next_value = models.PositiveIntegerField()
