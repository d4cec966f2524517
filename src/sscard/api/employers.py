"""Employers (用人单位) and their handlers (经办人): registration, lookup, adding and withdrawing handlers.

Access: clerks and administrators register and manage; supervisors may also look up.  The path carries
the unified social credit code; handler ids are checked after the access rule (so a caller without
access always gets 403).
"""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from sscard.api.auth import require
from sscard.api.schemas import ErrorOut
from sscard.core import masking
from sscard.core.errors import NotFound
from sscard.employers import selectors, services
from sscard.policy.choices import DocType

router = Router(tags=["employers"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MANAGERS = {"roles": ("clerk", "admin")}
READERS = {"roles": ("clerk", "supervisor", "admin")}


class EmployerIn(Schema):
    uscc: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=20)


class HandlerIn(Schema):
    doc_type: DocType
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    birth_date: dt.date | None = None
    phone: str = Field(default="", max_length=20)


class HandlerOut(Schema):
    id: int
    name: str  # masked
    id_type: str
    id_number: str  # masked
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def of(handler) -> "HandlerOut":
        p = handler.person
        return HandlerOut(id=handler.pk, name=masking.mask_name(p.name), id_type=p.id_type,
                          id_number=p.masked_id_number, is_active=handler.is_active, created_at=handler.created_at)


class EmployerOut(Schema):
    uscc: str
    name: str
    address: str
    contact_phone: str  # masked
    registered_outlet: str | None
    is_active: bool
    created_at: dt.datetime
    handlers: list[HandlerOut] = []

    @staticmethod
    def of(employer, *, handlers=()) -> "EmployerOut":
        outlet = employer.registered_outlet
        return EmployerOut(uscc=employer.uscc, name=employer.name, address=employer.address,
                           contact_phone=employer.masked_contact_phone,
                           registered_outlet=outlet.code if outlet else None, is_active=employer.is_active,
                           created_at=employer.created_at, handlers=[HandlerOut.of(h) for h in handlers])


class RegisterOut(Schema):
    created: bool
    employer: EmployerOut


def _handler_pk(handler_id: str) -> int:
    if not handler_id.isdigit() or len(handler_id) > 18:
        raise NotFound("HANDLER_NOT_FOUND", "该单位没有这名经办人")
    return int(handler_id)


@router.post("", response={200: RegisterOut, 201: RegisterOut, **_ERRORS}, summary="登记用人单位")
def employer_register(request, payload: EmployerIn):
    actor = require(request.auth, **MANAGERS)
    result = services.employer_register(actor=actor, uscc=payload.uscc, name=payload.name,
                                        address=payload.address, contact_phone=payload.contact_phone)
    out = RegisterOut(created=result.created, employer=EmployerOut.of(result.employer))
    return Status(201 if result.created else 200, out)


@router.get("/{uscc}", response={200: EmployerOut, **_ERRORS}, summary="查询用人单位及其经办人")
def employer_detail(request, uscc: str):
    require(request.auth, **READERS)
    employer = selectors.employer_by_uscc(uscc)
    return EmployerOut.of(employer, handlers=selectors.handlers_of(employer))


@router.post("/{uscc}/handlers", response={201: HandlerOut, **_ERRORS}, summary="添加单位经办人")
def handler_add(request, uscc: str, payload: HandlerIn):
    actor = require(request.auth, **MANAGERS)
    employer = selectors.employer_by_uscc(uscc)
    handler = services.handler_add(actor=actor, employer_id=employer.pk, doc_type=str(payload.doc_type),
                                   number=payload.number, name=payload.name, birth_date=payload.birth_date,
                                   phone=payload.phone)
    return Status(201, HandlerOut.of(handler))


@router.post("/{uscc}/handlers/{handler_id}/deactivate", response={200: HandlerOut, **_ERRORS},
             summary="停用单位经办人")
def handler_deactivate(request, uscc: str, handler_id: str):
    actor = require(request.auth, **MANAGERS)
    pk = _handler_pk(handler_id)
    employer = selectors.employer_by_uscc(uscc)
    return HandlerOut.of(services.handler_deactivate(actor=actor, employer_id=employer.pk, handler_id=pk))
