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

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("单位名称", max_length=200)
    address = models.CharField("单位地址", max_length=200, blank=True)
    contact_phone = EncryptedTextField("联系电话", blank=True)
    registered_outlet = models.ForeignKey("staff.Outlet", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name="登记网点")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField()
    updated_at = UpdatedAtField()

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

    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="handlers")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("有效", default=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "单位经办人"
        constraints = [models.UniqueConstraint(fields=["employer", "person"], name="employer_handler_unique")]

    def __str__(self):
        return f"{masking.mask_name(self.person.name)} @ {self.employer.uscc}"
