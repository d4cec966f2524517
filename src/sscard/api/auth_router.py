"""Sign-in and "who am I".

``POST /auth/staff-token`` and ``POST /auth/citizen-token`` are the only endpoints open without a
credential: they exchange a password for a bearer token (``sscard.staff.services``; failures are counted
and locked per account and per address, ``sscard.staff.lockout``).  ``POST /auth/sign-out`` revokes the
token it is called with, ``POST /auth/revoke-all`` every token of its holder (``sscard.staff.tokens``).
``GET /auth/me`` tells any caller who the API thinks it is: kind, role, channel and outlet, with personal
data masked.
"""

import datetime as dt

from ninja import Field, Router, Schema

from sscard.api.auth import TokenAuth, operation
from sscard.api.schemas import ERRORS, EX_ID_NUMBER, ErrorOut, StrictIn
from sscard.core import masking
from sscard.people.idnumbers import canonical_number
from sscard.staff import services, tokens
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, Outlet, StaffMember

router = Router(tags=["登录"])


class StaffSignIn(StrictIn):
    username: str = Field(min_length=1, max_length=150, description="工作人员登录用户名", examples=["yuzhong_clerk01"])
    password: str = Field(min_length=1, max_length=200, description="登录密码", examples=["Sscard@2026"])


class CitizenSignIn(StrictIn):
    id_number: str = Field(min_length=1, max_length=40, description="证件号码（居民身份证号等）",
                           examples=[EX_ID_NUMBER])
    password: str = Field(min_length=1, max_length=200, description="重庆人社APP 登录密码", examples=["Sscard@2026"])


class OutletOut(Schema):
    code: str
    name: str
    district: str
    level: str
    has_signature_pad: bool
    has_digital_archive: bool
    issuance_status: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime | None
    kind: str
    role: str
    channel: str
    outlet: OutletOut | None


class MeOut(Schema):
    kind: str
    role: str
    role_label: str
    channel: str
    name: str = Field(description="显示名称；APP 用户为脱敏姓名")
    username: str = ""
    masked_id_number: str = ""
    outlet: OutletOut | None


def _outlet(outlet_id: int | None) -> OutletOut | None:
    if outlet_id is None:
        return None
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        return None
    return OutletOut(code=outlet.code, name=outlet.name, district=outlet.district, level=outlet.level,
                     has_signature_pad=outlet.has_signature_pad, has_digital_archive=outlet.has_digital_archive,
                     issuance_status=outlet.issuance_status)


def _token_out(raw: str, actor: Actor) -> TokenOut:
    row = ApiToken.objects.only("expires_at").get(token_hash=ApiToken.hash_token(raw))
    return TokenOut(token=raw, expires_at=row.expires_at, kind=actor.kind, role=actor.role, channel=actor.channel,
                    outlet=_outlet(actor.outlet_id))


SIGN_IN_ERRORS = {**ERRORS, 429: ErrorOut}  # 429: SIGN_IN_LOCKED


@router.post("/staff-token", auth=None, response={200: TokenOut, **SIGN_IN_ERRORS},
             summary="工作人员登录，换取访问令牌",
             description="无需凭据；用户名或密码错误时答 401（SIGN_IN_FAILED），失败次数过多时答 429"
                         "（SIGN_IN_LOCKED）。新登录吊销本人此前的令牌。")
@operation("auth.staff_sign_in")
def staff_token(request, payload: StaffSignIn):
    raw, actor = services.staff_sign_in(request=request, username=payload.username,
                                        password=payload.password)
    return _token_out(raw, actor)


@router.post("/citizen-token", auth=None, response={200: TokenOut, **SIGN_IN_ERRORS},
             summary="APP 用户登录（证件号码 + 密码），换取访问令牌",
             description="无需凭据；证件号码或密码错误时答 401（SIGN_IN_FAILED），失败次数过多时答 429"
                         "（SIGN_IN_LOCKED）。新登录吊销本账户此前的令牌。")
@operation("auth.citizen_sign_in")
def citizen_token(request, payload: CitizenSignIn):
    # a 15-digit legacy number signs in as its 18 digits (people.idnumbers.canonical_number)
    raw, actor = services.citizen_sign_in(request=request, id_number=canonical_number(payload.id_number),
                                          password=payload.password)
    return _token_out(raw, actor)


class RevokedOut(Schema):
    revoked: int = Field(description="吊销的令牌数")


class NoFields(StrictIn):
    """A JSON object with no fields (``{}``): every POST takes an object body."""


@router.post("/sign-out", auth=[TokenAuth()], response={200: RevokedOut, **ERRORS},
             summary="退出登录：吊销本次调用所用的令牌", description="请求体为空对象 {}。")
@operation("auth.token_sign_out")
def sign_out(request, payload: NoFields):
    return RevokedOut(revoked=tokens.token_sign_out(actor=request.auth, token_id=request.api_token.pk))


@router.post("/revoke-all", auth=[TokenAuth()], response={200: RevokedOut, **ERRORS},
             summary="吊销本人的全部令牌（所有设备退出登录）", description="请求体为空对象 {}。")
@operation("auth.token_revoke_all")
def revoke_all(request, payload: NoFields):
    return RevokedOut(revoked=tokens.token_sign_out(actor=request.auth, token_id=None, everywhere=True))


_ROLE_LABELS = {"kiosk": "自助一体机", "citizen": "APP用户", "system": "系统"}


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前调用者：类型、角色、渠道、网点")
@operation("auth.me")
def me(request):
    actor: Actor = request.auth
    out = MeOut(kind=actor.kind, role=actor.role, role_label=_ROLE_LABELS.get(actor.role, actor.role),
                channel=actor.channel, name=actor.name, outlet=_outlet(actor.outlet_id))
    if actor.kind == "staff":
        staff = StaffMember.objects.select_related("user").get(pk=actor.staff_id)
        out.role_label = staff.get_role_display()
        out.username = staff.user.get_username()
    elif actor.kind == "citizen":
        person = CitizenAccount.objects.select_related("person").get(pk=actor.citizen_id).person
        out.name = masking.mask_name(person.name)
        out.masked_id_number = person.masked_id_number
    elif actor.kind == "kiosk":
        out.name = KioskDevice.objects.only("code").get(pk=actor.kiosk_id).code
    return out
