"""转办工单: the 12333 hotline's work items at the outlet they were sent to.

A window clerk sees those of their outlet (from the window home), a supervisor every outlet's (their
area menu), a hotline operator the ones they sent and those of the caller verified on their call.  The
list puts the unfinished ones by due date, overdue said in words as well as colour; the item page accepts,
closes (with the result) or cancels (with the reason) through ``desk.work_items``, which checks the outlet
and the state again; the callback number is shown masked and in full only on request, audited.  Every
page is laid out as its reader's area: the window's, the supervisor's, or the plain one.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sscard.core.errors import DomainError
from sscard.core.ids import row_id
from sscard.desk.choices import WorkItemEvent
from sscard.desk.hotline import VerifiedCaller
from sscard.desk.rules import work_item_next
from sscard.desk.selectors import WORK_ITEM_TABS, work_item_for_actor, work_item_row, work_items_list
from sscard.desk.work_items import (
    RESULT_MAX,
    work_item_accept,
    work_item_cancel,
    work_item_close,
    work_item_phone_view,
)
from sscard.people.services import phone_is_valid
from sscard.staff.permissions import allowed, outlet_bound
from sscard.staff.selectors import outlet_choices
from sscard.web.access import page
from sscard.web.devices import window_devices
from sscard.web.views.areas import area_nav
from sscard.web.vocabulary import WORK_ITEM_TABS as TAB_LABELS
from sscard.web.views.hotline import SESSION_KEY

FIELDS = ("result_note", "reason")  # the item page's typed fields a refusal may concern


def _layout(request) -> dict:
    """The reader's own area around the page: the window (with its devices), the supervisor's pages (with
    their menu), or the plain layout (the hotline)."""
    if outlet_bound(request.actor):
        return {"layout": "web/window/base_window.html", "devices": window_devices(request.staff.outlet),
                "area": "window"}
    if allowed(request.actor, "workitem.view_all"):
        return {"layout": "web/supervisor/layout.html", "area": "supervisor",
                **area_nav(request, "web:work_items")}
    return {"layout": "web/base.html", "area": "hotline"}


def _list_url(tab: str, outlet_id=None) -> str:
    query = {"tab": tab, **({"outlet": outlet_id} if outlet_id else {})}
    return f"{reverse('web:work_items')}?{urlencode(query)}"


@page("workitem.list")
@require_GET
def item_list(request):
    tab = request.GET.get("tab", "pending")
    tab = tab if tab in WORK_ITEM_TABS else "pending"
    everywhere = allowed(request.actor, "workitem.view_all")
    outlets = outlet_choices() if everywhere else []
    outlet_id = row_id(request.GET.get("outlet")) if everywhere else None
    outlet_id = outlet_id if outlet_id in {pk for pk, _name in outlets} else None
    phone = "".join(request.GET.get("phone", "")[:20].split())
    errors = {}
    if phone and not phone_is_valid(phone):
        errors["phone"] = _("回电号码格式不正确（11位手机号码或带区号的固定电话）")
    rows = [] if errors else work_items_list(actor=request.actor, tab=tab, outlet_id=outlet_id, phone=phone)
    tabs = [{"value": t, "label": TAB_LABELS[t], "url": _list_url(t, outlet_id), "current": t == tab}
            for t in WORK_ITEM_TABS]
    outlet = request.staff.outlet if outlet_bound(request.actor) else None
    return render(request, "web/work_items/list.html", {
        "title": _("转办工单 · %(tab)s") % {"tab": TAB_LABELS[tab]}, "tab": tab, "tabs": tabs, "rows": rows,
        "errors": errors,
        "phone": phone, "outlets": outlets, "outlet_id": outlet_id, "own_outlet": outlet, **_layout(request),
    }, status=400 if errors else 200)


def _caller(request) -> VerifiedCaller | None:
    """The caller this hotline operator has verified (the selector checks it is theirs and still live)."""
    if not allowed(request.actor, "caller.verify"):
        return None
    return VerifiedCaller.from_session(request.session.get(SESSION_KEY))


def _item_page(request, no: str, *, errors=None, error=None, status=200, **extra):
    item = work_item_for_actor(request.actor, no, caller=_caller(request))
    row = work_item_row(item)
    actor = request.actor
    def may(event: str) -> bool:  # the table allows the move from here (the service checks it again)
        return work_item_next(item.state, event) is not None

    can = {
        "accept": allowed(actor, "workitem.accept") and may(WorkItemEvent.ACCEPT),
        "close": allowed(actor, "workitem.close") and may(WorkItemEvent.CLOSE),
        "cancel": (allowed(actor, "workitem.cancel") and may(WorkItemEvent.CANCEL)
                   and (allowed(actor, "workitem.view_all") or item.created_by_id == actor.staff_id)),
        "phone": allowed(actor, "workitem.phone_view") and row["has_phone"],
        "list": allowed(actor, "workitem.list"),
    }
    return render(request, "web/work_items/item.html", {
        "title": _("转办工单 %(no)s") % {"no": item.work_item_no}, "item": row, "can": can, "errors": errors or {},
        "error": error,
        "result_max": RESULT_MAX, **_layout(request), **extra}, status=status)


@page("workitem.view")
@require_GET
def item_page(request, no: str):
    return _item_page(request, no)


def _refused(request, no: str, exc: DomainError):
    """A refusal shown on the item page: at its field (a missing result or reason), else at the top."""
    field = exc.details.get("field") if exc.details.get("field") in FIELDS else None
    errors = {field: exc.message} if field else {"__all__": exc.message}
    return _item_page(request, no, errors=errors, error=None if field else exc, status=exc.status,
                      typed={"result_note": request.POST.get("result_note", "")[:RESULT_MAX + 1],
                             "reason": request.POST.get("reason", "")[:RESULT_MAX + 1]})


def _done(request, no: str, notice: str):
    messages.success(request, notice)
    return redirect("web:work_item", no=no)


@page("workitem.accept")
@require_POST
def accept(request, no: str):
    try:
        work_item_accept(actor=request.actor, work_item_no=no)
    except DomainError as exc:
        return _refused(request, no, exc)
    return _done(request, no, _("已受理该工单。办结后请填写办理结果。"))


@page("workitem.close")
@require_POST
def close(request, no: str):
    try:
        work_item_close(actor=request.actor, work_item_no=no, result_note=request.POST.get("result_note", ""))
    except DomainError as exc:
        return _refused(request, no, exc)
    return _done(request, no, _("工单已办结。"))


@page("workitem.cancel")
@require_POST
def cancel(request, no: str):
    try:
        work_item_cancel(actor=request.actor, work_item_no=no, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        return _refused(request, no, exc)
    return _done(request, no, _("工单已撤销。"))


@page("workitem.phone_view")
@require_POST
def phone(request, no: str):
    """The callback number in full, once, on this answer only (audited by the service, never cached)."""
    try:
        full = work_item_phone_view(actor=request.actor, work_item_no=no)
    except DomainError as exc:
        return _refused(request, no, exc)
    response = _item_page(request, no, full_phone=full)
    response["Cache-Control"] = "no-store"
    return response
