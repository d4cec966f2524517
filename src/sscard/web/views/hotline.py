"""12333 热线服务台: verify the caller, report a temporary loss by phone, answer a status query, send a
work item to an outlet (转办网点).

The caller is checked by ``desk.hotline.caller_verify`` (recorded); what the page keeps in the session is
ids and masks only, for ``SSCARD_HOTLINE_CALLER_MINUTES``, and 结束通话 clears it.  The businesses are the
lifecycle services on the operator's phone channel with the verified card as the document, so the
catalogue decides what the phone may do (a temporary loss; a status query only if the catalogue offers it).
The work item (``desk.work_items``) is checked (核对信息) and then sent for the caller of the session: the
service takes that verified caller, never a person id from the form, and checks it again.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sscard.cards.choices import CardState
from sscard.core import masking
from sscard.core.errors import DomainError, InvalidInput
from sscard.desk.hotline import FIELDS, VerifiedCaller, caller_document, caller_verify
from sscard.desk.lifecycle import card_loss_report
from sscard.desk.selectors import work_item_row, work_items_of_caller
from sscard.desk.status import card_status_query
from sscard.desk.work_items import (
    NOTE_MAX,
    PHONE_MAX,
    work_item_categories,
    work_item_check,
    work_item_create,
)
from sscard.policy.catalogue import policy_setting
from sscard.staff.permissions import require
from sscard.staff.selectors import outlets_list
from sscard.web.access import page

SESSION_KEY = "hotline_caller"


def current_caller(request) -> VerifiedCaller | None:
    """The verified caller of this operator's session while it is valid; an expired one is dropped."""
    require(request.actor, "caller.verify")  # the businesses' own operations admit window clerks too
    caller = VerifiedCaller.from_session(request.session.get(SESSION_KEY))
    if caller is not None and not caller.live_for(request.actor):
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("来电人身份核验已超过有效时间，请重新核验。"))
        return None
    return caller


def _work_item_context(request, caller, draft: dict | None = None) -> dict:
    """The desk's 转办网点 form (active outlets, the catalogue's categories, the draft being edited) and the
    verified caller's work items."""
    return {"work_item": draft or {}, "outlets": outlets_list(active_only=True),
            "categories": work_item_categories(), "note_max": NOTE_MAX, "phone_max": PHONE_MAX,
            "caller_items": work_items_of_caller(actor=request.actor, caller=caller)}


def _desk(request, *, caller=None, errors=None, form=None, status=200, **extra):
    if caller is not None and "outlets" not in extra:
        extra = {**_work_item_context(request, caller), **extra}
    return render(request, "web/hotline/desk.html", {
        "title": _("12333热线服务台"), "caller": caller, "errors": errors or {}, "form": form or {},
        "fields": FIELDS, **extra}, status=status)


@page("caller.verify")
@require_http_methods(["GET", "POST"])
def desk(request):
    if request.method == "GET":
        return _desk(request, caller=current_caller(request))
    form = {"card_no": request.POST.get("card_no", "")[:20], "name": request.POST.get("name", "")[:100]}
    try:
        caller = caller_verify(actor=request.actor, card_no=form["card_no"], name=form["name"],
                               id_number=request.POST.get("id_number", "")[:18])
    except InvalidInput as exc:
        errors = {m["field"]: m["message"] for m in exc.details.get("missing", [])} or {"__all__": exc.message}
        return _desk(request, errors=errors, form=form, status=exc.status)
    except DomainError as exc:
        return _desk(request, errors={"__all__": exc.message}, form=form, status=exc.status)
    request.session[SESSION_KEY] = caller.to_session()
    messages.success(request, _("来电人身份核验通过。"))
    return redirect("web:hotline")


def _needs_caller(request):
    messages.info(request, _("请先核验来电人身份。"))
    return redirect("web:hotline")


@page("card.loss_report")
@require_http_methods(["GET", "POST"])
def loss_report(request):
    """GET: 核对信息 before the loss is reported; POST: the temporary loss, with the time it lapses."""
    caller = current_caller(request)
    if caller is None:
        return _needs_caller(request)
    context = {"title": _("电话挂失"), "caller": caller, "lapse_days": policy_setting("temp_loss_lapse_days")}
    if request.method == "GET":
        return render(request, "web/hotline/loss_confirm.html", context)
    try:
        it = card_loss_report(actor=request.actor, applicant=caller_document(caller))
    except DomainError as exc:
        return render(request, "web/hotline/loss_confirm.html", {**context, "error": exc, "errors": {
            "__all__": exc.message}}, status=exc.status)
    card = it.card
    return render(request, "web/hotline/loss_done.html", {
        **context, "title": _("电话挂失已办理"), "request_no": it.request.request_no if it.request else "",
        "card_no_masked": masking.mask_card_no(card.card_no), "state_label": str(CardState(card.state).label),
        "lapses_at": card.temp_loss_expires_at})


def _status_rows(status: dict) -> dict:
    cards = [{"card_no": masking.mask_card_no(c["card_no"]), "state_label": c["state_label"], "aaz502": c["aaz502"],
              "state_changed_at": c["state_changed_at"], "temp_loss_expires_at": c["temp_loss_expires_at"]}
             for c in status["cards"]]
    return {"cards": cards, "open_requests": status["open_requests"]}


@page("card.status_query")
@require_POST
def status_query(request):
    """The status query of the caller's cards (htmx: the result region only, announced by aria-live)."""
    caller = current_caller(request)
    template = "web/hotline/partials/status_result.html" if request.htmx else "web/hotline/desk.html"
    context = {"title": _("12333热线服务台"), "caller": caller, "errors": {}, "form": {}, "fields": FIELDS}
    if caller is not None and not request.htmx:
        context.update(_work_item_context(request, caller))
    status = 200
    if caller is None:
        context["status_error"] = {"message": _("请先核验来电人身份。")}
        status = 400
    else:
        try:
            result = card_status_query(actor=request.actor, applicant=caller_document(caller))
        except DomainError as exc:
            context["status_error"] = exc
            status = exc.status
        else:
            context["status"] = _status_rows(result)
    # htmx swaps 2xx answers only: the refusal is the content of the result region
    return render(request, template, context, status=200 if request.htmx else status)


@page("caller.verify")
@require_POST
def end_call(request):
    """结束通话: the caller is forgotten at once."""
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("通话已结束，来电人信息已清除。"))
    return redirect("web:hotline")


# ---------------------------------------------------------------- 转办网点: a work item to an outlet


def _work_item_draft(post) -> dict:
    """The posted 转办网点 form as typed (the service cleans it; a too-long note stays too long)."""
    return {"outlet": post.get("outlet", "")[:20], "category": post.get("category", "")[:20],
            "note": post.get("note", "")[:NOTE_MAX + 1],
            "contact_phone": post.get("contact_phone", "")[:PHONE_MAX]}


def _work_item_errors(exc: InvalidInput) -> dict:
    return {m["field"]: m["message"] for m in exc.details.get("missing", [])} or {"__all__": exc.message}


def _work_item_desk(request, caller, draft, *, errors=None, status=200, focus=""):
    return _desk(request, caller=caller, errors=errors, status=status, focus=focus,
                 **_work_item_context(request, caller, draft))


def _work_item_confirm(request, caller, draft, values, *, error=None, status=200):
    return render(request, "web/hotline/work_item_confirm.html", {
        "title": _("转办网点：核对信息"), "caller": caller, "draft": draft, "values": values, "error": error,
        "errors": {"__all__": error.message} if error else {},
        "due_days": policy_setting("work_item_due_working_days")}, status=status)


@page("workitem.create")
@require_POST
def work_item_review(request):
    """核对信息: the form checked (every problem at once, at its field) before anything is sent."""
    caller = current_caller(request)
    if caller is None:
        return _needs_caller(request)
    draft = _work_item_draft(request.POST)
    try:
        values = work_item_check(outlet_id=draft["outlet"], category=draft["category"], note=draft["note"],
                                 contact_phone=draft["contact_phone"])
    except InvalidInput as exc:
        return _work_item_desk(request, caller, draft, errors=_work_item_errors(exc), status=exc.status)
    return _work_item_confirm(request, caller, draft, values)


@page("workitem.create")
@require_POST
def work_item_edit(request):
    """修改: back to the form with what was typed, the field to change focused."""
    caller = current_caller(request)
    if caller is None:
        return _needs_caller(request)
    focus = request.POST.get("focus", "")
    return _work_item_desk(request, caller, _work_item_draft(request.POST),
                           focus=focus if focus in ("outlet", "category", "note", "contact_phone") else "")


@page("workitem.create")
@require_POST
def work_item_submit(request):
    """确认转办: the work item sent for the caller of this session; the number and due date to tell them."""
    caller = current_caller(request)
    if caller is None:
        return _needs_caller(request)
    draft = _work_item_draft(request.POST)
    fields = {"outlet_id": draft["outlet"], "category": draft["category"], "note": draft["note"],
              "contact_phone": draft["contact_phone"]}
    try:
        values = work_item_check(**fields)
        item = work_item_create(actor=request.actor, caller=caller, **fields)
    except InvalidInput as exc:
        return _work_item_desk(request, caller, draft, errors=_work_item_errors(exc), status=exc.status)
    except DomainError as exc:  # the caller no longer verified, the same item already open ...
        return _work_item_confirm(request, caller, draft, values, error=exc, status=exc.status)
    return render(request, "web/hotline/work_item_done.html", {
        "title": _("已转办网点"), "caller": caller, "item": work_item_row(item)})
