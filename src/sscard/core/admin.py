"""Shared admin pieces."""

from django.contrib import admin


@admin.display(description="编号", ordering="pk")
def record_id(obj):
    """The row's primary key as a list column labelled in Chinese ("pk" alone is headed "Pk", "id" "ID")."""
    return obj.pk


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write (cards, businesses, persons, payments, tokens): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
