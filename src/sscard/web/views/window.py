"""The window clerk's workstation (窗口工作台): find the person, see their cards and businesses, pick a
business and the applicant's role with the materials checklist for this outlet.

The identified person is kept in the session (its id only), so no ID number travels in a URL.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sscard.cards.ecard import MAX_CODE_LENGTH, PREFIX, ecard_code_verify
from sscard.core.errors import DomainError
from sscard.desk.checklist import checklist_for, window_roles
from sscard.desk.intake import DocInput, person_find
from sscard.desk.selectors import deferred_at_outlet, person_overview, request_by_voucher, work_items_waiting
from sscard.hardware.drivers import get_id_reader
from sscard.hardware.interfaces import DeviceError
from sscard.people.models import Person
from sscard.policy.choices import Business, Channel, DocType
from sscard.web.access import page
from sscard.web.devices import window_devices
from sscard.web.vocabulary import choices_of, label

SESSION_PERSON = "window_person_id"
# The businesses a window handles, in the order the page lists them (the catalogue decides the rest).
WINDOW_BUSINESSES = [Business.APPLY, Business.ACTIVATE, Business.REISSUE, Business.REPLACE, Business.RENEW,
                     Business.INFO_CHANGE, Business.PIN_CHANGE, Business.PIN_RESET, Business.LOSS_REPORT,
                     Business.LOSS_WITHDRAW, Business.UNLOCK, Business.STATUS_QUERY, Business.CANCEL,
                     Business.ROLLBACK]


def _business_url(business: str) -> str:
    if business == Business.APPLY:
        return reverse("web:window_apply")
    return reverse("web:window_business", kwargs={"business": business})
LOOKUP_DOC_TYPES = [*choices_of(DocType, [DocType.ID_CARD]),
                    (DocType.SS_CARD, gettext_lazy("社会保障卡卡号"))]


def _context(request, **extra) -> dict:
    outlet = request.staff.outlet
    person = None
    person_id = request.session.get(SESSION_PERSON)
    if person_id:
        person = Person.objects.filter(pk=person_id).first()
    return {"title": _("窗口工作台"), "devices": window_devices(outlet), "doc_types": LOOKUP_DOC_TYPES,
            "person": person_overview(person) if person else None,
            "deferred_count": len(deferred_at_outlet(outlet.pk)),
            "work_items": work_items_waiting(outlet.pk),
            "businesses": [{"code": b.value, "label": label(Business, b), "url": _business_url(b)}
                           for b in WINDOW_BUSINESSES],
            "apply_label": label(Business, Business.APPLY),
            **extra}


def _render(request, template: str, context: dict, status: int = 200):
    if request.htmx and template == "web/window/home.html":
        template = "web/window/partials/person_panel.html"
    return render(request, template, context, status=status)


@page("page.window")
def home(request):
    return render(request, "web/window/home.html", _context(request))


@page("page.window")
@require_POST
def find_person(request):
    """Typed number (or the reader's, filled in by the browser hook): the person, or what to do next."""
    doc_type = request.POST.get("doc_type", DocType.ID_CARD)
    number = request.POST.get("number", "").strip().upper()[:40]
    errors = {}
    if doc_type not in dict(LOOKUP_DOC_TYPES):
        errors["doc_type"] = _("请选择证件类型")
    if not number:
        errors["number"] = _("请输入证件号码，或点击「读取身份证」")
    if errors:
        return _render(request, "web/window/home.html", _context(request, errors=errors, number=number), 400)
    try:
        person = person_find(DocInput(doc_type=doc_type, number=number))
    except DomainError as exc:
        request.session.pop(SESSION_PERSON, None)
        return _render(request, "web/window/home.html",
                       _context(request, not_found=exc.message, number=number, person=None), 200)
    request.session[SESSION_PERSON] = person.pk
    return _render(request, "web/window/home.html", _context(request))


@page("page.window")
@require_POST
def scan_code(request):
    """A scanned or typed code: the app's 电子社保卡码 (verified once: signature, expiry, card state; the look
    in the access log) or a kiosk voucher's number (its QR holds the number).  The scanner types into
    the focused field and presses Enter, which submits the form: no script is needed."""
    code = request.POST.get("code", "").strip()[:MAX_CODE_LENGTH + 1]
    if not code:
        return _render(request, "web/window/home.html",
                       _context(request, errors={"code": _("请扫描或输入电子社保卡码、凭证号")}), 400)
    voucher_request = None
    try:
        if code.upper().startswith(PREFIX):
            person_id = ecard_code_verify(actor=request.actor, code=code)["person_id"]
        else:
            voucher_request = request_by_voucher(request.actor, code)
            person_id = voucher_request.applicant_id
    except DomainError as exc:
        request.session.pop(SESSION_PERSON, None)
        return _render(request, "web/window/home.html",
                       _context(request, scan_refused=exc.message, scan_refused_code=exc.code, person=None), 200)
    request.session[SESSION_PERSON] = person_id
    return _render(request, "web/window/home.html", _context(request, voucher_request=voucher_request,
                                                             identified_by=_("电子社保卡") if voucher_request is None
                                                             else _("自助一体机凭证")))


@page("page.window")
@require_POST
def clear_person(request):
    request.session.pop(SESSION_PERSON, None)
    return redirect("web:window")


@page("page.window")
@require_POST
def read_id_card(request):
    """The server-side reader of this window's station (the simulated one by default): its number goes
    into the lookup form; a missing card or a reader fault says what to do instead."""
    station = f"outlet:{request.staff.outlet.code}"
    try:
        card = get_id_reader().read(station)
    except DeviceError as exc:
        message = {"NO_CARD_PRESENT": _("读卡器上没有身份证：请放置身份证后重试，或直接输入证件号码")}.get(
            exc.reason, _("读卡器暂不可用，请直接输入证件号码"))
        return render(request, "web/window/partials/reader_result.html", {"error": message})
    return render(request, "web/window/partials/reader_result.html", {"card": card})


@page("page.window")
def checklist(request):
    """The materials checklist of (business, role) at this outlet (htmx partial)."""
    business = request.GET.get("business", "")
    role = request.GET.get("role", "")
    if business not in Business.values:
        return render(request, "web/window/partials/checklist.html", {"refusal": _("请选择要办理的业务")})
    roles = window_roles(business)
    if role not in dict(roles):
        role = roles[0][0] if roles else ""
    try:
        items = checklist_for(business=business, channel=Channel.WINDOW, role=role, outlet=request.staff.outlet)
    except DomainError as exc:
        return render(request, "web/window/partials/checklist.html", {"refusal": exc.message})
    return render(request, "web/window/partials/checklist.html", {"checklist": items})
