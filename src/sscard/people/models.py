"""Persons: the people cards belong to, applicants and agents.

ID number, phone and address are encrypted at rest; ``id_hash`` / ``phone_hash`` are keyed hashes for
search.  Name, birth date and gender are kept in clear (needed for lists and age rules) and masked in
responses for roles that do not need them.
"""

from django.db import models

from sscard.core import crypto, masking
from sscard.core.fields import EncryptedTextField
from sscard.people.idnumbers import canonical_number
from sscard.policy.choices import DocType


class Person(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField("姓名", max_length=100)
    id_type = models.CharField("证件类型", max_length=16, choices=DocType.choices)
    id_number = EncryptedTextField("证件号码", help_text="加密保存，后台只显示脱敏号码")
    id_hash = models.CharField("证件号码索引", max_length=64, unique=True,
                               help_text="证件号码的密钥哈希，用于按完整号码查找，不可还原")
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    nationality = models.CharField("国籍", max_length=40, default="中国")
    phone = EncryptedTextField("手机号码", blank=True, help_text="加密保存")
    phone_hash = models.CharField("手机号码索引", max_length=64, blank=True, db_index=True,
                                  help_text="手机号码的密钥哈希，用于按号码查找，不可还原")
    address = EncryptedTextField("地址", blank=True, help_text="加密保存")
    fee_exempt = models.BooleanField("免收工本费", default=False, help_text="免收工本费人群（如低保对象）")
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "人员"

    def __str__(self):
        return masking.mask_name(self.name)

    def set_id_number(self, number: str) -> None:
        """Store ``number`` in its canonical form (``idnumbers.canonical_number``: a 15-digit citizen
        number as its 18 digits), the form ``people.lookup.id_hash`` finds; set ``id_type`` first."""
        self.id_number = canonical_number(number, self.id_type or None)
        self.id_hash = crypto.lookup_hash(self.id_number, purpose="id")

    def set_phone(self, phone: str) -> None:
        self.phone = phone
        self.phone_hash = crypto.lookup_hash(phone, purpose="phone") if phone else ""

    @property
    def masked_id_number(self) -> str:
        return masking.mask_id_number(self.id_number)
