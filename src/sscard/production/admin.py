"""Admin: production orders, items and exchange files are viewed only (the exchange writes them)."""

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.production.models import ExchangeRecord, ProductionItem, ProductionOrder


@admin.register(ProductionOrder)
class ProductionOrderAdmin(ReadOnlyAdmin):
    list_display = ("order_no", "batch", "bank", "outlet", "stage", "due_at", "created_at")
    list_filter = ("stage", "bank")
    search_fields = ("order_no", "batch__batch_no")


@admin.register(ProductionItem)
class ProductionItemAdmin(ReadOnlyAdmin):
    list_display = ("order", "item_no", "stage", "failure_stage", "failure_reason", "card_no", "picked_up_at",
                    "activation_due_at", "activated_at")
    list_filter = ("stage", "failure_stage")
    search_fields = ("order__order_no", "card_no")
    exclude = ("account_no",)  # the bank account number is kept encrypted and not shown here


@admin.register(ExchangeRecord)
class ExchangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("order", "kind", "name", "rows", "ok_rows", "failed_rows", "created_at")
    list_filter = ("kind",)
