"""Batch cards at the window: sign for an order on arrival, hand a batch's cards to the employer's handler
(领卡), and take one applicant's row out of its batch to make the card here (批量转零星)."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sscard.core.errors import DomainError
from sscard.desk.checklist import checklist_for
from sscard.policy.choices import ApplicantRole, Business, Channel
from sscard.production.conversion import batch_to_individual
from sscard.production.pickup import PickupLetter, batch_pickup
from sscard.production.selectors import outlet_batch_work
from sscard.production.services import order_arrive
from sscard.web.access import page
from sscard.web.devices import window_devices
from sscard.web.drafts import HOLDER_DOC_TYPES, Draft, image_slots
from sscard.web.vocabulary import choices_of

SELF = choices_of(ApplicantRole, [ApplicantRole.SELF])


def _context(request, **extra) -> dict:
    outlet = request.staff.outlet
    return {"title": _("批量社保卡"), "devices": window_devices(outlet), "work": outlet_batch_work(outlet.pk),
            "doc_types": HOLDER_DOC_TYPES, **extra}


@page("production.batch_pickup")
def batch_home(request):
    return render(request, "web/window/batch.html", _context(request, notice=request.session.pop("batch_notice", "")))


@page("production.order_arrive")
@require_POST
def arrive(request, order_no: str):
    try:
        order = order_arrive(actor=request.actor, order_no=order_no)
    except DomainError as exc:
        return render(request, "web/window/batch.html", _context(request, errors={exc.code: exc.message}),
                      status=exc.status)
    request.session["batch_notice"] = _("已签收制卡批次 %(order)s") % {"order": order.order_no}
    return redirect("web:window_batch")


@page("production.batch_pickup")
@require_POST
def pickup(request):
    draft = Draft(request.POST, request.FILES, roles=SELF)
    handler = draft.doc("handler", HOLDER_DOC_TYPES)
    batch_no = request.POST.get("batch_no", "").strip().upper()[:24]
    if not batch_no:
        draft.errors["batch_no"] = _("请选择要领取的批次")
    if draft.errors:
        return render(request, "web/window/batch.html", _context(request, errors=draft.errors, post=request.POST),
                      status=400)
    letter = PickupLetter(image=draft.image("letter", _("单位介绍信")),
                          paper_ref=draft.text("letter_ref", 100),
                          sealed=request.POST.get("letter_sealed") == "1")
    try:
        items = batch_pickup(actor=request.actor, batch_no=batch_no, handler=handler, letter=letter)
    except DomainError as exc:
        return render(request, "web/window/batch.html", _context(request, errors={exc.code: exc.message},
                                                                 post=request.POST), status=exc.status)
    request.session["batch_notice"] = ngettext(
        "批次 %(batch)s 的 %(n)s 张社保卡已发放，96小时后自动启用",
        "批次 %(batch)s 的 %(n)s 张社保卡已发放，96小时后自动启用",
        len(items)) % {"batch": batch_no, "n": len(items)}
    return redirect("web:window_batch")


def _to_individual_context(request, **extra) -> dict:
    checklist = checklist_for(business=Business.APPLY, channel=Channel.WINDOW, role=ApplicantRole.SELF,
                              outlet=request.staff.outlet)
    return {"title": _("批量转零星"), "devices": window_devices(request.staff.outlet),
            "checklist": checklist,
            "holder_doc_types": HOLDER_DOC_TYPES, "image_slots": image_slots(extra.get("post")), "images_step": "",
            "signature_step": "", **extra}


@page("production.to_individual")
def to_individual_form(request):
    return render(request, "web/window/to_individual.html", _to_individual_context(request))


@page("production.to_individual")
@require_POST
def to_individual_submit(request):
    draft = Draft(request.POST, request.FILES, roles=SELF)
    applicant = draft.doc("applicant", HOLDER_DOC_TYPES)
    if draft.errors:
        return render(request, "web/window/to_individual.html",
                      _to_individual_context(request, errors=draft.errors, post=request.POST), status=400)
    try:
        req = batch_to_individual(actor=request.actor, applicant=applicant, evidence=draft.evidence(photo=False))
    except DomainError as exc:
        missing = exc.details.get("missing") or [{"code": exc.code, "message": exc.message}]
        return render(request, "web/window/to_individual.html", _to_individual_context(
            request, errors={m["code"]: m["message"] for m in missing}, post=request.POST), status=exc.status)
    return redirect("web:window_request", no=req.request_no)
