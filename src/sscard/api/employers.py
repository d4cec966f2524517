"""Employers (用人单位) and their handlers (经办人): registration, lookup, adding and withdrawing handlers.

Access: clerks and administrators register and manage; supervisors may also look up.  The path carries
the unified social credit code; handler ids are checked after the access rule (so a caller without
access always gets 403).
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Router, Schema
from ninja.responses import Status

from sscard.api.auth import operation
from sscard.api.schemas import ERRORS, EX_HANDLER_ID_NUMBER, EX_USCC, StrictIn, choices_text
from sscard.core import masking
from sscard.core.errors import NotFound
from sscard.employers import selectors, services
from sscard.policy.choices import DocType

router = Router(tags=["用人单位"])


Uscc = Annotated[str, Path(description="用人单位统一社会信用代码（18 位）", example=EX_USCC)]


class EmployerIn(StrictIn):
    uscc: str = Field(min_length=1, max_length=40, description="统一社会信用代码（GB 32100，18 位，含校验码）",
                      examples=[EX_USCC])
    name: str = Field(min_length=1, max_length=200, description="单位名称", examples=["重庆山城数码科技有限公司"])
    address: str = Field(default="", max_length=200, description="单位地址", examples=["重庆市渝中区民权路28号"])
    contact_phone: str = Field(default="", max_length=20, description="单位联系电话", examples=["023-63801234"])


class HandlerIn(StrictIn):
    doc_type: DocType = Field(description="经办人证件类型：" + choices_text(DocType), examples=["id_card"])
    number: str = Field(min_length=1, max_length=40, description="经办人证件号码", examples=[EX_HANDLER_ID_NUMBER])
    name: str = Field(min_length=1, max_length=100, description="经办人姓名", examples=["赵强"])
    birth_date: dt.date | None = Field(None, description="出生日期（YYYY-MM-DD）；居民身份证可省略",
                                       examples=["1988-09-20"])
    phone: str = Field(default="", max_length=20, description="经办人联系电话", examples=["13812345678"])


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


@router.post("", response={200: RegisterOut, 201: RegisterOut, **ERRORS}, summary="登记用人单位",
             description="新登记答 201；同一信用代码、同一名称已登记时答 200 并返回已有单位（created 为 false），名称不同则答 409。")
@operation("employer.register")
def employer_register(request, payload: EmployerIn):
    actor = request.auth
    result = services.employer_register(actor=actor, uscc=payload.uscc, name=payload.name,
                                        address=payload.address, contact_phone=payload.contact_phone)
    out = RegisterOut(created=result.created, employer=EmployerOut.of(result.employer))
    return Status(201 if result.created else 200, out)


@router.get("/{uscc}", response={200: EmployerOut, **ERRORS}, summary="查询用人单位及其经办人")
@operation("employer.view")
def employer_detail(request, uscc: Uscc):
    employer = selectors.employer_by_uscc(uscc)
    return EmployerOut.of(employer, handlers=selectors.handlers_of(employer))


@router.post("/{uscc}/handlers", response={201: HandlerOut, **ERRORS}, summary="添加单位经办人")
@operation("employer.handler_add")
def handler_add(request, uscc: Uscc, payload: HandlerIn):
    actor = request.auth
    employer = selectors.employer_by_uscc(uscc)
    handler = services.handler_add(actor=actor, employer_id=employer.pk, doc_type=str(payload.doc_type),
                                   number=payload.number, name=payload.name, birth_date=payload.birth_date,
                                   phone=payload.phone)
    return Status(201, HandlerOut.of(handler))


@router.post("/{uscc}/handlers/{handler_id}/deactivate", response={200: HandlerOut, **ERRORS},
             summary="停用单位经办人")
@operation("employer.handler_deactivate")
def handler_deactivate(request, uscc: Uscc,
                       handler_id: Annotated[str, Path(description="经办人编号（handlers[].id）", example="12")]):
    actor = request.auth
    pk = _handler_pk(handler_id)
    employer = selectors.employer_by_uscc(uscc)
    return HandlerOut.of(services.handler_deactivate(actor=actor, employer_id=employer.pk, handler_id=pk))
