"""Writers for employers and their handlers.

Registering an employer and adding or deactivating a handler are done by a window clerk or an
administrator; each writes one audit event (masked personal data only) in its transaction.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock, masking
from sscard.core.errors import Conflict, InvalidInput, NotFound, Refused
from sscard.desk.intake import PersonData, person_find_or_create
from sscard.employers.models import Employer, EmployerHandler
from sscard.employers.rules import validate_uscc
from sscard.policy.rules import is_minor_now
from sscard.staff.permissions import require

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


@dataclass(frozen=True)
class Registered:
    employer: Employer
    created: bool


def _clean_phone(phone: str, code: str, label: str) -> str:
    value = (phone or "").strip().replace(" ", "")
    if value and not _PHONE.match(value):
        raise InvalidInput(code, f"{label}格式不正确（11位手机号码或带区号的固定电话）")
    return value


def employer_register(*, actor, uscc: str, name: str, address: str = "", contact_phone: str = "") -> Registered:
    """Register a unit by its unified social credit code (validated, GB 32100).

    Idempotent on the code: the same code with the same name returns the existing employer unchanged;
    the same code with another name is refused (``EMPLOYER_EXISTS``).  Audited as ``EMPLOYER_REGISTERED``.
    """
    require(actor, "employer.register")
    code = validate_uscc(uscc)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput("EMPLOYER_NAME_INVALID", "请填写单位名称（不超过200个字符）")
    address = (address or "").strip()
    if len(address) > 200:
        raise InvalidInput("EMPLOYER_ADDRESS_INVALID", "单位地址不能超过200个字符")
    phone = _clean_phone(contact_phone, "EMPLOYER_PHONE_INVALID", "单位联系电话")
    with transaction.atomic():
        existing = Employer.objects.select_for_update().filter(uscc=code).first()
        if existing is None:
            now = clock.now()
            employer = Employer(uscc=code, name=name, address=address, contact_phone=phone,
                                registered_outlet_id=actor.outlet_id, created_at=now)
            try:
                with transaction.atomic():  # savepoint: a concurrent registration of the same code wins
                    employer.save(force_insert=True)
            except IntegrityError:
                existing = Employer.objects.filter(uscc=code).first()
                if existing is None:
                    raise Conflict("EMPLOYER_BEING_REGISTERED", "该单位正在由另一笔业务登记，请稍后重试") from None
            else:
                audit_record(event_type=AuditEventType.EMPLOYER_REGISTERED, actor=actor, subject_type="employer",
                             subject_id=employer.pk,
                             after={"uscc": code, "name": name, "address": masking.mask_address(address),
                                    "contact_phone": masking.mask_phone(phone),
                                    "registered_outlet_id": actor.outlet_id})
                return Registered(employer, True)
        if existing.name != name:
            raise Conflict("EMPLOYER_EXISTS", "该统一社会信用代码已登记为另一单位名称，请核对单位名称或代码")
        return Registered(existing, False)


def handler_add(*, actor, employer_id: int, doc_type: str, number: str, name: str, birth_date=None,
                phone: str = "") -> EmployerHandler:
    """Authorise a person (found by ID number, or created from the data given) to act for an active
    employer.  The handler must be an adult whose registered name matches; adding an active handler again
    changes nothing, adding a deactivated one reactivates it.  Audited as ``EMPLOYER_HANDLER_ADDED``."""
    require(actor, "employer.handler_add")
    name = (name or "").strip()
    if not name:
        raise InvalidInput("NAME_REQUIRED", "请填写经办人姓名")
    phone = _clean_phone(phone, "HANDLER_PHONE_INVALID", "经办人联系电话")
    with transaction.atomic():
        employer = Employer.objects.select_for_update().filter(pk=employer_id).first()
        if employer is None:
            raise NotFound("EMPLOYER_NOT_FOUND", "未找到该用人单位")
        if not employer.is_active:
            raise Refused("EMPLOYER_INACTIVE", "该用人单位已停用，不能添加经办人")
        person = person_find_or_create(PersonData(doc_type=doc_type, number=number, name=name, birth_date=birth_date,
                                            phone=phone), who="经办人", actor=actor)
        if person.name != name:
            raise InvalidInput("HANDLER_NAME_MISMATCH", "经办人姓名与证件号码登记的姓名不一致")
        if is_minor_now(person.birth_date):
            raise Refused("HANDLER_IS_MINOR", "单位经办人须为成年人")
        handler = EmployerHandler.objects.select_for_update().filter(employer=employer, person=person).first()
        if handler is not None and handler.is_active:
            return handler
        reactivated = handler is not None
        if handler is None:
            handler = EmployerHandler.objects.create(employer=employer, person=person, created_at=clock.now())
        else:
            handler.is_active = True
            handler.save(update_fields=["is_active"])
        audit_record(event_type=AuditEventType.EMPLOYER_HANDLER_ADDED, actor=actor, subject_type="employer_handler",
                     subject_id=handler.pk, person_id=person.pk,
                     after={"employer_id": employer.pk, "uscc": employer.uscc,
                            "name": masking.mask_name(person.name), "id_number": person.masked_id_number,
                            "is_active": True},
                     data={"reactivated": reactivated})
        return handler


def handler_deactivate(*, actor, employer_id: int, handler_id: int) -> EmployerHandler:
    """Withdraw a handler's authority for the employer (the row stays for history).  A handler already
    inactive is refused (``HANDLER_INACTIVE``).  Audited as ``EMPLOYER_HANDLER_DEACTIVATED``."""
    require(actor, "employer.handler_deactivate")
    with transaction.atomic():
        handler = (EmployerHandler.objects.select_for_update().select_related("person", "employer")
                   .filter(pk=handler_id, employer_id=employer_id).first())
        if handler is None:
            raise NotFound("HANDLER_NOT_FOUND", "该单位没有这名经办人")
        if not handler.is_active:
            raise Conflict("HANDLER_INACTIVE", "该经办人已停用")
        handler.is_active = False
        handler.save(update_fields=["is_active"])
        audit_record(event_type=AuditEventType.EMPLOYER_HANDLER_DEACTIVATED, actor=actor, subject_type="employer_handler",
                     subject_id=handler.pk, person_id=handler.person_id,
                     before={"is_active": True}, after={"is_active": False},
                     data={"employer_id": employer_id, "uscc": handler.employer.uscc,
                           "name": masking.mask_name(handler.person.name),
                           "id_number": handler.person.masked_id_number})
        return handler
