"""The kiosk's page session (自助一体机, ``web.kiosk_access``): binding the browser to the device, the
welcome page, the customer's sign-in by the ID reader, the card terminal or a 电子社保卡 code, 退出 and
the idle end, the 长辈版 / voice preferences, and the simulated devices' panel (demo and tests only)."""

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sscard.cards.ecard import ecard_code_verify
from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.desk.intake import DocInput, person_find
from sscard.hardware.drivers import get_card_terminal, get_id_reader, is_simulated
from sscard.hardware.interfaces import DeviceError, DeviceUnavailable, IdCardData
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIdReader
from sscard.people.idnumbers import parse_identity
from sscard.people.lookup import id_hash
from sscard.people.models import Person
from sscard.web.access import public_page
from sscard.web.kiosk_access import (
    BY_ECARD,
    BY_ID_CARD,
    BY_SS_CARD,
    bound_token,
    customer_end,
    customer_start,
    kiosk_bind,
    kiosk_device,
    kiosk_device_failed,
    kiosk_page,
    kiosk_prefs,
    kiosk_prefs_set,
    kiosk_render,
    kiosk_safe_next,
    kiosk_station,
)
from sscard.web.kiosk_tasks import kiosk_tiles

MAX_CODE_LENGTH = 200


@public_page("kiosk.device_bind")
@require_http_methods(["GET", "POST"])
def setup(request):
    """Bind this browser to a kiosk by its device token (typed once by the installer)."""
    context = {"title": _("绑定自助一体机"), "errors": {}}
    if request.method == "GET":
        return kiosk_render(request, "web/kiosk/setup.html", context, idle=False)
    token = bound_token(request.POST.get("token", ""))
    if token is None:
        context["errors"]["token"] = _("设备令牌无效、已过期或已吊销，或该设备已停用")
        return kiosk_render(request, "web/kiosk/setup.html", context, status=400, idle=False)
    kiosk_bind(request, token)
    return redirect("web:kiosk_home")


@kiosk_page("page.kiosk")
def home(request):
    """The welcome page: the businesses the catalogue offers at this kiosk, each a big tile."""
    return kiosk_render(request, "web/kiosk/home.html", {"title": _("欢迎使用社保卡自助服务"),
                                                         "tiles": kiosk_tiles()}, idle=False)


def _sign_in_page(request, next_url: str, *, error: str = "", status: int = 200):
    return kiosk_render(request, "web/kiosk/sign_in.html", {
        "title": _("请先识别身份"), "next": next_url, "error": error,
        "errors": {"sign_in": error} if error else {}}, status=status)


_READ_MESSAGES = {
    "NO_CARD_PRESENT": {BY_ID_CARD: _("没有读到身份证：请将身份证放在读卡区后重试"),
                        BY_SS_CARD: _("没有读到社保卡：请将社保卡插入读卡口后重试")},
    "CARD_UNREADABLE": {BY_SS_CARD: _("社保卡芯片无法读取，请到窗口办理")},
}


def _identify(request, how: str) -> tuple[int | None, str]:
    """The person the kiosk's reader, terminal or the typed code identifies: (person id, ID hash)."""
    station = kiosk_station(request)
    if how == BY_ID_CARD:
        card = get_id_reader().read(station)
        hashed = id_hash(card.id_number)
        person = Person.objects.filter(id_hash=hashed).only("pk").first()
        return (person.pk if person else None), hashed
    if how == BY_SS_CARD:
        chip = get_card_terminal().read_card(station)
        # the card number read from the chip finds its holder (the intake's own lookup)
        person = person_find(DocInput("ss_card", chip.card_no))
        return person.pk, ""
    code = request.POST.get("code", "").strip()[:MAX_CODE_LENGTH]
    if not code:
        raise _Missing(_("请扫描或输入电子社保卡码"))
    return ecard_code_verify(actor=request.actor, code=code)["person_id"], ""


class _Missing(Exception):
    pass


@kiosk_page("kiosk.customer_session")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """GET: how to sign in; POST ``how`` = id_card / ss_card / ecard: read and start the customer."""
    next_url = kiosk_safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET":
        return _sign_in_page(request, next_url)
    how = request.POST.get("how", "")
    if how not in (BY_ID_CARD, BY_SS_CARD, BY_ECARD):
        return _sign_in_page(request, next_url, error=_("请选择识别方式"), status=400)
    try:
        person_id, hashed = _identify(request, how)
    except _Missing as exc:
        return _sign_in_page(request, next_url, error=str(exc), status=400)
    except DeviceUnavailable as exc:
        return kiosk_device_failed(request, exc)
    except DeviceError as exc:
        message = _READ_MESSAGES.get(exc.reason, {}).get(how) or exc.message_zh
        return _sign_in_page(request, next_url, error=message, status=400)
    except DomainError as exc:
        return _sign_in_page(request, next_url, error=exc.message, status=exc.status)
    prefs = kiosk_prefs(request)  # chosen before the sign-in: kept for this customer
    customer_start(request, person_id=person_id, id_hash=hashed, how=how)
    kiosk_prefs_set(request, **prefs)
    return redirect(next_url)


@kiosk_page("kiosk.customer_session")
@require_POST
def sign_out(request):
    """退出 (and the idle countdown at zero, ``?idle=1``): the customer and what they typed are gone."""
    customer_end(request)
    target = reverse("web:kiosk_home")
    return redirect(f"{target}?ended=idle" if request.POST.get("idle") else target)


@kiosk_page("page.kiosk")
@require_POST
def prefs(request):
    """The 长辈版 (large text) and voice prompt switches, kept in the session until the customer ends."""
    current = kiosk_prefs(request)
    what = request.POST.get("toggle", "")
    if what in current:
        kiosk_prefs_set(request, **{what: not current[what]})
    return redirect(kiosk_safe_next(request, request.POST.get("next")))


# ---------------------------------------------------------------- simulated devices (demo and tests)


@kiosk_page("page.kiosk")
@require_POST
def sim_id_card(request):
    """Place a (demo) ID card on this kiosk's simulated reader."""
    if not is_simulated("id_reader") or kiosk_device(request) is None:
        raise Http404
    next_url = kiosk_safe_next(request, request.POST.get("next"))
    number = request.POST.get("number", "").strip().upper()[:18]
    name = request.POST.get("name", "").strip()[:50]
    try:
        ident = parse_identity("id_card", number, today=clock.today())
    except DomainError as exc:
        return _sign_in_page(request, next_url, error=exc.message, status=400)
    if not name:
        return _sign_in_page(request, next_url, error=_("请输入模拟身份证上的姓名"), status=400)
    SimulatedIdReader.place(kiosk_station(request), IdCardData(
        name=name, id_number=ident.number, gender=ident.gender or "", ethnicity="汉族",
        birth_date=ident.birth_date or dt.date(1990, 1, 1),
        address=request.POST.get("address", "").strip()[:200] or "重庆市渝中区（模拟地址）",
        issuing_authority="重庆市公安局（模拟）", valid_until=None))
    return redirect(next_url)


@kiosk_page("page.kiosk")
@require_POST
def sim_card(request):
    """Insert a (demo) social security card into this kiosk's simulated terminal."""
    if not is_simulated("card_terminal") or kiosk_device(request) is None:
        raise Http404
    next_url = kiosk_safe_next(request, request.POST.get("next"))
    card_no = request.POST.get("card_no", "").strip().upper()[:20]
    if not card_no:
        return _sign_in_page(request, next_url, error=_("请输入社会保障卡卡号"), status=400)
    SimulatedCardTerminal.insert(kiosk_station(request), card_no)
    return redirect(next_url)
