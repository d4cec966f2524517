"""The steps of a production business at the window, after its submission: the printed form signed on
paper, the fee, the deferred card made once the device is back (the 24-hour queue), the hand-over."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sscard.archive.pdf import render_business_form
from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.desk import services
from sscard.desk.selectors import (
    deferred_at_outlet,
    request_for_actor,
    request_form_rows,
)
from sscard.policy.choices import Business
from sscard.staff.choices import DeviceStatus
from sscard.web.access import page
from sscard.web.devices import window_devices

ERRORS = "window_step_errors"


def _back(request, no: str, exc: DomainError | None = None):
    if exc is not None:
        request.session[ERRORS] = {exc.code: exc.message}
    return redirect("web:window_request", no=no)


def _originals(post) -> list[tuple[str, str]]:
    """The originals ticked as checked: ``applicant:id_card`` and the like."""
    out = []
    for value in post.getlist("originals"):
        party, _, doc = value.partition(":")
        if party in ("applicant", "agent") and doc:
            out.append((party, doc))
    return out


@page("request.form_pdf")
def form_pdf(request, no: str):
    req = request_for_actor(request.actor, no)
    pdf = render_business_form(title=f"{Business(req.business).label}业务表单", request_no=req.request_no,
                               rows=request_form_rows(req), outlet_name=req.outlet.name if req.outlet_id else "",
                               printed_at=clock.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{req.request_no}-form.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@page("request.record_signed_form")
@require_POST
def record_signed_form(request, no: str):
    reference = request.POST.get("reference", "").strip()[:100]
    if not reference:
        request.session[ERRORS] = {"reference": _("请填写已签字表单的存档编号")}
        return _back(request, no)
    try:
        services.request_record_signed_form(actor=request.actor, request_no=no, reference=reference)
    except DomainError as exc:
        return _back(request, no, exc)
    return _back(request, no)


@page("request.settle_fee")
@require_POST
def settle_fee(request, no: str):
    method = request.POST.get("method", "")
    try:
        services.request_settle_fee(actor=request.actor, request_no=no, method=method,
                                    offset_reference=request.POST.get("offset_reference", "").strip()[:100])
    except DomainError as exc:
        return _back(request, no, exc)
    return _back(request, no)


@page("request.finish_window")
@require_POST
def finish_production(request, no: str):
    """Make the deferred card now that the device works, and hand it over to the waiting applicant."""
    try:
        services.request_finish_production(actor=request.actor, request_no=no, hand_over=True,
                                           originals_checked=_originals(request.POST))
    except DomainError as exc:
        return _back(request, no, exc)
    return _back(request, no)


@page("request.hand_over")
@require_POST
def hand_over(request, no: str):
    try:
        services.request_hand_over(actor=request.actor, request_no=no, originals_checked=_originals(request.POST))
    except DomainError as exc:
        return _back(request, no, exc)
    return _back(request, no)


@page("request.finish_window")
def deferred_queue(request):
    """This outlet's cards to be made within 24 hours, with their timers."""
    outlet = request.staff.outlet
    return render(request, "web/window/deferred.html", {
        "title": _("待制卡（24小时内）"), "devices": window_devices(outlet), "items": deferred_at_outlet(outlet.pk),
        "device_working": outlet.issuance_status == DeviceStatus.WORKING,
    })
