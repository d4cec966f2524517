"""What the information change business (社保卡信息变更) may change, and the one writer of a person's
contact details.

Only non-key information changes (catalogue ``info_change.changeable_fields``: address, phone).  Key
information (name, ID number, birth date ...) is refused with a code naming the field.  Values are
encrypted at rest; the audit event keeps the before/after masked.  The business itself (intake, record)
is ``sscard.desk.info_change``.
"""

import re

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock, masking
from sscard.core.errors import InvalidInput, Refused
from sscard.people.errors import KEY_INFO_NOT_CHANGEABLE
from sscard.people.models import Person
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business
from sscard.policy.rules import cite_business

FIELD_LABELS = {
    "address": "居住地址", "phone": "联系电话", "name": "姓名", "id_number": "身份证件号码",
    "birth_date": "出生日期", "gender": "性别", "ethnicity": "民族", "nationality": "国籍", "id_type": "证件类型",
}
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_MASKS = {"address": masking.mask_address, "phone": masking.mask_phone}


def phone_is_valid(value: str) -> bool:
    """An 11-digit mobile number or a landline with its area code (spaces already removed)."""
    return bool(_PHONE.match(value))


def _clean(field: str, value) -> str:
    value = "" if value is None else str(value).strip()
    if field == "phone":
        value = value.replace(" ", "")
        if not _PHONE.match(value):
            raise InvalidInput("INFO_PHONE_INVALID", "联系电话格式不正确（11位手机号码或带区号的固定电话）")
    if field == "address" and not 5 <= len(value) <= 200:
        raise InvalidInput("INFO_ADDRESS_INVALID", "居住地址应为5至200个字符")
    return value


def info_changes_check(changes: dict) -> dict[str, str]:
    """Refuse anything but the catalogue's changeable fields; return the cleaned values."""
    if not changes:
        raise InvalidInput("INFO_CHANGE_EMPTY", "没有需要变更的信息")
    allowed = get_catalogue().business(Business.INFO_CHANGE).changeable_fields
    for field in changes:
        if field not in allowed:
            label = FIELD_LABELS.get(field)
            if label is None:
                raise InvalidInput("INFO_FIELD_UNKNOWN", "存在无法识别的变更项", details={"field": field})
            raise Refused(KEY_INFO_NOT_CHANGEABLE[field],
                          f"{label}属于关键信息，不能通过信息变更修改（仅可变更：" +
                          "、".join(FIELD_LABELS.get(f, f) for f in allowed) + "）",
                          rule=cite_business(Business.INFO_CHANGE), details={"field": field})
    return {field: _clean(field, value) for field, value in changes.items()}


def person_info_update(*, actor, person_id: int, cleaned: dict[str, str], request_no: str) -> Person:
    """Write checked contact details (``info_changes_check``) on the locked person row.

    Audit ``PERSON_INFO_CHANGED`` with the changed fields' before/after masked.
    """
    person = Person.objects.select_for_update().get(pk=person_id)
    before, after = {}, {}
    for field, value in cleaned.items():
        before[field] = _MASKS[field](getattr(person, field))
        after[field] = _MASKS[field](value)
        if field == "phone":
            person.set_phone(value)
        else:
            setattr(person, field, value)
    person.updated_at = clock.now()
    fields = ["updated_at", *cleaned] + (["phone_hash"] if "phone" in cleaned else [])
    person.save(update_fields=fields)
    audit_record(event_type=AuditEventType.PERSON_INFO_CHANGED, actor=actor, subject_type="person",
                 subject_id=person.pk, person_id=person.pk, before=before, after=after,
                 data={"request_no": request_no, "fields": sorted(cleaned)})
    return person
