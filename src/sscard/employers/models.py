"""Employers (用人单位) and their handlers (经办人): the units that submit batch applications.

An employer is identified by its unified social credit code (validated by ``rules.validate_uscc``); a
handler is a person (``people.Person``, found or created from their identity document) authorised to act
for one employer.  Only ``services`` write these rows.
"""

from django.db import models

from sscard.core import masking
from sscard.core.fields import EncryptedTextField, UpdatedAtField


class Employer(models.Model):
    """A unit, unique by its unified social credit code (GB 32100, stored normalised)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, help_text="18 位，按 GB 32100 校验")
    name = models.CharField("单位名称", max_length=200)
    address = models.CharField("单位地址", max_length=200, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True, help_text="加密保存，后台只显示脱敏号码")
    registered_outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name="登记网点")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField("登记时间")
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "用人单位"

    def __str__(self):
        return f"{self.name}（{self.uscc}）"

    @property
    def masked_contact_phone(self) -> str:
        return masking.mask_phone(self.contact_phone)


class EmployerHandler(models.Model):
    """A person who acts for an employer (submits batches, picks up cards); one row per (employer, person).
    A deactivated handler may be added again, which reactivates the row."""

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="handlers",
                                 verbose_name="用人单位")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name="经办人")
    is_active = models.BooleanField("有效", default=True, help_text="停用后可重新登记，即恢复有效")
    created_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "单位经办人"
        constraints = [models.UniqueConstraint(fields=["employer", "person"], name="employer_handler_unique")]

    def __str__(self):
        return f"{masking.mask_name(self.person.name)} @ {self.employer.uscc}"
