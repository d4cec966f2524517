"""A business after its submission, at the window: where it stands, the card made, the receipt (受理回执)
and the service evaluation (好差评).  The page is in the page's language; the printed receipt stays
Chinese (the procedure's paper, as ``archive.pdf`` prints it)."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from sscard.archive.pdf import render_receipt
from sscard.core import masking
from sscard.core.errors import DomainError
from sscard.desk.choices import EvaluationLevel, ProductionMode, RequestStatus, Step
from sscard.desk.evaluation import evaluation_record
from sscard.desk.models import ServiceEvaluation
from sscard.desk.queue import queue_ticket_of
from sscard.desk.receipts import receipt_print, receipt_prints
from sscard.desk.selectors import request_for_actor, request_form_rows
from sscard.fees.choices import PaymentMethod
from sscard.policy.choices import Business, DocType
from sscard.staff.choices import DeviceStatus
from sscard.web.access import page
from sscard.web.devices import window_devices
from sscard.web.vocabulary import label, text

CONTACT = "12333（重庆人社服务热线）"


def _materials(req) -> list[str]:
    m = req.materials or {}
    out = []
    if m.get("applicant_doc"):
        out.append("申办人身份凭证（原件已核验）")
    if m.get("agent_doc"):
        out.append("代办人身份凭证（原件已核验）")
    if m.get("photo"):
        out.append("照片")
    if req.archive_mode == "digital":
        out.append("凭证影像、办理场景影像（电子存档）")
    elif req.archive_mode == "paper":
        out.append("凭证复印件（纸质存档）")
    if req.signature_mode == "pad":
        out.append("签字板签名")
    return out


def _time_limit(req) -> str:
    """The time limit as the receipt prints it (Chinese: the procedure's paper)."""
    if req.status == RequestStatus.COMPLETED:
        return "已当场办结"
    if req.production_mode == ProductionMode.DEFERRED and req.due_at:
        return f"制卡设备或网络故障，24小时内制卡：{timezone.localtime(req.due_at):%Y-%m-%d %H:%M} 前"
    if req.due_at:
        return f"{timezone.localtime(req.due_at):%Y-%m-%d} 前"
    return "按规程时限办理"


def _time_limit_shown(req) -> str:
    """The time limit as the page shows it, in the page's language (Beijing time)."""
    if req.status == RequestStatus.COMPLETED:
        return _("已当场办结")
    if req.production_mode == ProductionMode.DEFERRED and req.due_at:
        return _("制卡设备或网络故障，24小时内制卡：%(due)s 前") % {
            "due": f"{timezone.localtime(req.due_at):%Y-%m-%d %H:%M}"}
    if req.due_at:
        return _("%(due)s 前") % {"due": f"{timezone.localtime(req.due_at):%Y-%m-%d}"}
    return _("按规程时限办理")


@page("request.view")
def request_page(request, no: str):
    req = request_for_actor(request.actor, no)
    evaluation = ServiceEvaluation.objects.filter(request=req).first()
    return render(request, "web/window/request.html", {
        "title": _("业务 %(no)s") % {"no": req.request_no}, "req": req,
        "devices": window_devices(request.staff.outlet),
        "business_label": label(Business, req.business), "status_label": label(RequestStatus, req.status),
        "rows": _rows_shown(req), "pending": req.pending_steps or [],
        "pending_text": pgettext("list separator", "、").join(label(Step, s)
                                                               for s in req.pending_steps or []),
        "time_limit": _time_limit_shown(req), "new_card": req.new_card, "evaluation": evaluation,
        "levels": [(v, label(EvaluationLevel, v)) for v in EvaluationLevel.values],
        "can_evaluate": req.status == RequestStatus.COMPLETED and not evaluation,
        "applicant_masked": masking.mask_name(req.applicant.name),
        "errors": request.session.pop("evaluation_errors", None),
        "step_errors": request.session.pop("window_step_errors", None),
        "originals": _originals_of(req), "device_working": req.outlet_id is not None and
        req.outlet.issuance_status == DeviceStatus.WORKING, "fee_yuan": _yuan(req.fee_amount_fen),
        "payment_methods": [(v, label(PaymentMethod, v)) for v in PaymentMethod.values],
        "ticket": queue_ticket_of(req.request_no),
        "prints": receipt_prints(req.request_no),
    })


def _rows_shown(req) -> list[tuple[str, str]]:
    """The business's rows (``desk.selectors.request_form_rows``, as the receipt prints them) in the page's
    language: each label, and a value that is a label of the procedure (a business, a role, a document)."""
    rows = []
    for row_label, value in request_form_rows(req):
        if row_label == "应缴费用":
            value = _("%(amount)s 元") % {"amount": _yuan(req.fee_amount_fen)}
        rows.append((text(row_label), text(value)))
    return rows


def _yuan(fen) -> str:
    return f"{int(fen or 0) // 100}.{int(fen or 0) % 100:02d}"


def _originals_of(req) -> list[tuple[str, str]]:
    """(value, label) of the originals to check at the hand-over: the documents the business was done with."""
    m = req.materials or {}
    out = []
    for party, party_label in (("applicant", _("申办人")), ("agent", _("代办人"))):
        doc = m.get(f"{party}_doc")
        if doc:
            out.append((f"{party}:{doc}", _("%(party)s%(doc)s（原件）") % {"party": party_label,
                                                                         "doc": label(DocType, doc)}))
    return out


@page("request.receipt_pdf")
@require_POST
def receipt_pdf(request, no: str):
    """The receipt, recorded as printed (a POST: each print is an act); a reprint says 「补打第 N 次」."""
    req, earlier = receipt_print(actor=request.actor, request_no=no)
    pdf = render_receipt(request_no=req.request_no, rows=request_form_rows(req), materials=_materials(req),
                         outlet_name=req.outlet.name if req.outlet_id else "", clerk_name=req.actor_name,
                         contact=CONTACT, time_limit=_time_limit(req), printed_at=req.created_at, reprint=earlier)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{req.request_no}-receipt.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@page("request.evaluate")
@require_POST
def evaluate(request, no: str):
    try:
        evaluation_record(actor=request.actor, request_no=no, level=request.POST.get("level"),
                          reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        field = "reason" if exc.code == "EVALUATION_REASON_REQUIRED" else "level"
        request.session["evaluation_errors"] = {field: exc.message}
    return redirect("web:window_request", no=no)
