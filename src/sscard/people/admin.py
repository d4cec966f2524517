"""Persons in the admin: masked, searchable by the full ID number through its keyed hash, read-only.

Personal data changes go through the services (audited); the admin never shows an ID number, phone or
address in clear.
"""

from django.contrib import admin

from sscard.core import masking
from sscard.core.admin import ReadOnlyAdmin, record_id
from sscard.people.lookup import id_hashes
from sscard.people.models import Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = (record_id, "masked_name", "id_type", "masked_id", "birth_date", "gender", "fee_exempt",
                    "created_at")
    list_filter = ("id_type", "gender", "fee_exempt")
    fields = ("masked_name", "id_type", "masked_id", "masked_phone", "masked_address", "birth_date", "gender",
              "ethnicity", "nationality", "fee_exempt", "created_at", "updated_at")
    readonly_fields = fields
    search_fields = ("id_hash",)
    search_help_text = "输入完整证件号码查询（按密文索引匹配，不做模糊查询）"

    @admin.display(description="姓名")
    def masked_name(self, obj):
        return masking.mask_name(obj.name)

    @admin.display(description="证件号码")
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return masking.mask_phone(obj.phone)

    @admin.display(description="地址")
    def masked_address(self, obj):
        return masking.mask_address(obj.address)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(id_hash__in=id_hashes(term)), False

