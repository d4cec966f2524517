"""The simulated devices of a window, driven from its page in the demo (and in the browser tests):
put an ID card on the reader, a social security card in the terminal, type PINs on the PIN pad.

Only while the configured drivers are the simulated ones (``SSCARD_HARDWARE``); otherwise these URLs do
not exist.  Real devices are reached by the device service at the window, never through these forms.
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.hardware.drivers import is_simulated
from sscard.hardware.interfaces import IdCardData
from sscard.hardware.simulated import (
    SimulatedCardTerminal,
    SimulatedIdReader,
    SimulatedPinPad,
)
from sscard.people.idnumbers import parse_identity
from sscard.web.access import page


def _station(request) -> str:
    return f"outlet:{request.staff.outlet.code}"


def _done(request, message: str, ok: bool = True):
    return render(request, "web/window/partials/simulator_result.html", {"message": message, "ok": ok})


@page("page.window")
@require_POST
def place_id_card(request):
    if not is_simulated("id_reader"):
        raise Http404
    number = request.POST.get("number", "").strip().upper()[:18]
    name = request.POST.get("name", "").strip()[:50]
    try:
        ident = parse_identity("id_card", number, today=clock.today())
    except DomainError as exc:
        return _done(request, exc.message, ok=False)
    if not name:
        return _done(request, _("请输入模拟身份证上的姓名"), ok=False)
    SimulatedIdReader.place(_station(request), IdCardData(
        name=name, id_number=ident.number, gender=ident.gender or "", ethnicity="汉族",
        birth_date=ident.birth_date or dt.date(1990, 1, 1), address=request.POST.get("address", "").strip()[:200],
        issuing_authority="重庆市公安局（模拟）", valid_until=None))
    return _done(request, _("已将 %(name)s 的身份证放到读卡器上") % {"name": name})


@page("page.window")
@require_POST
def insert_card(request):
    if not is_simulated("card_terminal"):
        raise Http404
    card_no = request.POST.get("card_no", "").strip().upper()[:20]
    if not card_no:
        return _done(request, _("请输入社会保障卡卡号"), ok=False)
    SimulatedCardTerminal.insert(_station(request), card_no)
    return _done(request, _("已插入社保卡 %(card_no)s") % {"card_no": card_no})


@page("page.window")
@require_POST
def type_pins(request):
    """The holder's key presses on the pad: each entry six digits, confirmed (never stored or logged)."""
    if not is_simulated("card_terminal"):
        raise Http404
    entries = [request.POST.get(f"pin_{i}", "").strip() for i in range(1, 4)]
    entries = [e for e in entries if e]
    if not entries or not all(e.isdigit() and len(e) == 6 for e in entries):
        return _done(request, _("每次输入须为6位数字"), ok=False)
    SimulatedPinPad.clear(_station(request))
    SimulatedPinPad.type(_station(request), *entries)
    return _done(request, ngettext("已在密码键盘上输入 %(n)s 次", "已在密码键盘上输入 %(n)s 次", len(entries))
                 % {"n": len(entries)})
