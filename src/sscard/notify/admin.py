"""Admin: the outbox is viewed only (the businesses enqueue, the relay sends); the failed messages are one
filter away (状态 = 发送失败), with their error code."""

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin, record_id
from sscard.notify.models import OutboxMessage, SimulatedSms


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = (record_id, "kind", "recipient", "person", "subject_id", "state", "attempts", "last_error",
                    "created_at", "sent_at")
    list_filter = ("state", "kind", "recipient")
    search_fields = ("subject_id", "idempotency_key")
    exclude = ("claim_token",)


@admin.register(SimulatedSms)
class SimulatedSmsAdmin(ReadOnlyAdmin):
    list_display = (record_id, "client_msg_id", "calls", "delivered_at")
    search_fields = ("client_msg_id",)
