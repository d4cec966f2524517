"""Cards in the admin: look only.  A card changes state only through ``card_apply_event`` (audited)."""

from django.contrib import admin

from sscard.cards.models import Card, CardStateChange
from sscard.core.admin import ReadOnlyAdmin


class CardStateChangeInline(admin.TabularInline):
    model = CardStateChange
    fields = ("at", "event", "from_state", "to_state", "request", "rolled_back")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ("card_no", "state", "aaz502", "person", "origin_channel", "issued_outlet", "made_at",
                    "activated_at", "pin_failures")
    list_filter = ("state", "origin_channel", "issued_outlet")
    search_fields = ("card_no",)
    list_select_related = ("person", "issued_outlet")
    inlines = [CardStateChangeInline]

    @admin.display(description="卡状态代码（AAZ502）")
    def aaz502(self, obj):
        return obj.aaz502


@admin.register(CardStateChange)
class CardStateChangeAdmin(ReadOnlyAdmin):
    list_display = ("card", "event", "from_state", "to_state", "at", "rolled_back")
    list_filter = ("event", "to_state")
    search_fields = ("card__card_no",)
    list_select_related = ("card",)
