"""Persons: the people cards belong to, applicants and agents.

ID number, phone and address are encrypted at rest; ``id_hash`` / ``phone_hash`` are keyed hashes for
search.  Name, birth date and gender are kept in clear (needed for lists and age rules) and masked in
responses for roles that do not need them.
"""

from django.db import models

from sscard.core import crypto, masking
from sscard.core.fields import EncryptedTextField
from sscard.policy.choices import DocType


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField(max_length=100)
    id_type = models.CharField(max_length=16, choices=DocType.choices)
    id_number = EncryptedTextField()
    id_hash = models.CharField(max_length=64, unique=True)
    birth_date = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=20, blank=True)
    nationality = models.CharField(max_length=40, default="中国")
    phone = EncryptedTextField(blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    address = EncryptedTextField(blank=True)
    fee_exempt = models.BooleanField(default=False, help_text="免收工本费人群（如低保对象）")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self):
        return masking.mask_name(self.name)

    def set_id_number(self, number: str) -> None:
        self.id_number = crypto.normalise(number)
        self.id_hash = crypto.lookup_hash(number, purpose="id")

    def set_phone(self, phone: str) -> None:
        self.phone = phone
        self.phone_hash = crypto.lookup_hash(phone, purpose="phone") if phone else ""

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)
