"""Shared admin pieces."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that only services write (cards, businesses, persons, payments, tokens): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
