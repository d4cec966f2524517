"""主管看板: today's businesses per outlet and type, the backlog and overdue items against the procedure's
limits, the charts of the period (businesses per day, on-time rate), and each outlet's issuance device
with the switch that sets it failed or working again.

The figures come from the selectors of the apps that own them (``desk.workload``, ``desk.selectors``,
``production.selectors``, ``staff.selectors``, ``audit.selectors``); the switch is
``staff.outlets.outlet_issuance_status_set``.  An htmx request gets the page's body (or the device
section) only; a plain request the whole page.  The words are the page's language; the figures and the
services' refusals are as the apps give them.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from sscard.audit.choices import AuditEventType
from sscard.audit.selectors import latest_events
from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.core.replica import use_replica
from sscard.desk import workload
from sscard.desk.choices import ProductionMode
from sscard.desk.evaluation import evaluation_follow_up_close
from sscard.desk.selectors import overdue_production, work_items_overdue
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business
from sscard.production.selectors import orders_overdue_rows
from sscard.staff.choices import DeviceStatus
from sscard.staff.outlets import outlet_issuance_status_set
from sscard.staff.selectors import outlet_choices, outlets_list
from sscard.web.access import page
from sscard.web.supervisor_forms import DashboardFilter, DeviceSwitchForm
from sscard.web.views.areas import area_nav
from sscard.web.vocabulary import label, text

TEMPLATE = "web/supervisor/dashboard.html"
BODY = "web/supervisor/partials/dashboard_body.html"
DEVICES = "web/supervisor/partials/devices.html"
OVERDUE_SHOWN = 50
# The backlog's rows (``desk.workload.LIMITS``) by production mode, and each limit in words.
BACKLOG_LABELS = {
    ProductionMode.DEFERRED: pgettext_lazy("backlog", "窗口延时制卡（设备或网络故障）"),
    ProductionMode.CENTRAL: pgettext_lazy("backlog", "网上申办（审核与制卡）"),
    ProductionMode.BATCH: pgettext_lazy("backlog", "单位批量制卡"),
}
LIMIT_SETTINGS = {mode: setting for mode, _label, setting, _unit in workload.LIMITS}


def _limit(mode) -> str:
    """A production mode's time limit in words: 24小时, 5个工作日 (the catalogue's settings)."""
    setting = LIMIT_SETTINGS.get(mode)
    if setting is None:
        return ""
    n = policy_setting(setting)
    if mode == ProductionMode.DEFERRED:
        return ngettext("%(n)s小时", "%(n)s小时", n) % {"n": n}
    return ngettext("%(n)s个工作日", "%(n)s个工作日", n) % {"n": n}


def _day_label(d) -> str:
    return date_format(d, _("n月j日"))


def _per_day_summary(days: list[dict]) -> str:
    total = sum(d["count"] for d in days)
    first, last = _day_label(days[0]["date"]), _day_label(days[-1]["date"])
    if not total:
        return _("%(first)s至%(last)s没有受理业务。") % {"first": first, "last": last}
    busiest = max(days, key=lambda d: d["count"])
    return ngettext("%(first)s至%(last)s共受理业务 %(total)s 笔，日均 %(mean).1f 笔；"
                    "最多的一天是%(day)s，%(most)s 笔。",
                    "%(first)s至%(last)s共受理业务 %(total)s 笔，日均 %(mean).1f 笔；"
                    "最多的一天是%(day)s，%(most)s 笔。",
                    total) % {"first": first, "last": last, "total": total, "mean": total / len(days),
                              "day": _day_label(busiest["date"]), "most": busiest["count"]}


def _on_time_summary(days: list[dict]) -> str:
    due = sum(d["due"] for d in days)
    if not due:
        return _("期间没有到期的限时制卡业务（现场即时制卡不计入）。")
    on_time = sum(d["on_time"] for d in days)
    return ngettext("期间到期的限时制卡业务 %(due)s 笔，按时制成 %(on_time)s 笔，超时 %(late)s 笔，"
                    "按时率 %(rate).1f%%（现场即时制卡不计入）。",
                    "期间到期的限时制卡业务 %(due)s 笔，按时制成 %(on_time)s 笔，超时 %(late)s 笔，"
                    "按时率 %(rate).1f%%（现场即时制卡不计入）。",
                    due) % {"due": due, "on_time": on_time, "late": due - on_time,
                            "rate": 100 * on_time / due}


def _charts(per_day: list[dict], on_time: list[dict]) -> dict:
    """What dashboard.js draws (sent as JSON in the page, never computed in the browser)."""
    return {
        "perDay": {"labels": [_day_label(d["date"]) for d in per_day], "counts": [d["count"] for d in per_day]},
        "onTime": {"labels": [_day_label(d["date"]) for d in on_time], "rates": [d["rate"] for d in on_time],
                   "due": [d["due"] for d in on_time], "onTime": [d["on_time"] for d in on_time]},
    }


def _overdue(now, outlet_id) -> list[dict]:
    rows = overdue_production(now=now, limit=OVERDUE_SHOWN, outlet_id=outlet_id)
    rows += workload.review_overdue(now=now, limit=OVERDUE_SHOWN, outlet_id=outlet_id)
    for r in rows:
        r["business_label"] = label(Business, r["business"])
        r["limit"] = _limit(r["production_mode"])
        r["stage"] = _("待审核") if r.get("status") == "pending_review" else _("制卡中")
    rows.sort(key=lambda r: -r["hours_overdue"])
    return rows[:OVERDUE_SHOWN]


def device_rows(*, now, outlet_id=None, failed_only=False) -> list[dict]:
    """Each outlet's issuance device, its deferred cards waiting and the last change of its status."""
    outlets = outlets_list(outlet_id=outlet_id, failed_only=failed_only)
    waiting = workload.deferred_waiting(now=now)
    last = latest_events(event_type=AuditEventType.OUTLET_ISSUANCE_STATUS_CHANGED, subject_type="staff.outlet",
                         subject_ids=[o.pk for o in outlets])
    rows = []
    status_choices = [(v, label(DeviceStatus, v)) for v in DeviceStatus.values]
    for o in outlets:
        w = waiting.get(o.pk, {})
        rows.append({"outlet": o, "working": o.issuance_status == DeviceStatus.WORKING,
                     "status_label": label(DeviceStatus, o.issuance_status), "waiting": w.get("waiting", 0),
                     "oldest_due_at": w.get("oldest_due_at"), "seconds_left": w.get("seconds_left"),
                     "last": last.get(str(o.pk)),
                     "choices": status_choices,
                     "suggested": DeviceStatus.WORKING if o.issuance_status != DeviceStatus.WORKING
                     else DeviceStatus.DEVICE_FAILED})
    return rows


def _figures(filters: dict) -> dict:
    with use_replica():  # a dashboard may be a moment behind the primary
        return _figures_read(filters)


def _figures_read(filters: dict) -> dict:
    now, today = clock.now(), clock.today()
    outlet_id = filters.get("outlet")
    start, end = filters["date_from"], filters["date_to"]
    per_day = workload.businesses_per_day(start=start, end=end, outlet_id=outlet_id)
    on_time = workload.on_time_per_day(start=start, end=end, outlet_id=outlet_id, now=now)
    backlog = workload.backlog(now=now, outlet_id=outlet_id)
    today_table = workload.businesses_by_outlet(start=today, end=today, outlet_id=outlet_id)
    orders = orders_overdue_rows(now=now, outlet_id=outlet_id, limit=OVERDUE_SHOWN)
    work_items = work_items_overdue(now=now, outlet_id=outlet_id, limit=OVERDUE_SHOWN)
    devices = device_rows(now=now, outlet_id=outlet_id, failed_only=filters.get("device") == "failed")
    for row in backlog:
        row["label"] = BACKLOG_LABELS.get(row["mode"], row["label"])
        row["limit"] = _limit(row["mode"]) or row["limit"]
    return {
        "now": now, "today": today, "start": start, "end": end, "today_table": _table(today_table),
        "period_table": _table(workload.businesses_by_outlet(start=start, end=end, outlet_id=outlet_id)),
        "backlog": backlog, "overdue": _overdue(now, outlet_id), "orders": orders,
        "work_items_overdue": work_items,
        "per_day": per_day, "on_time": on_time,
        "per_day_summary": _per_day_summary(per_day), "on_time_summary": _on_time_summary(on_time),
        "charts": _charts(per_day, on_time), "devices": devices,
        "evaluations": workload.evaluation_summary(start=start, end=end, outlet_id=outlet_id),
        "follow_ups": workload.follow_ups_open(outlet_id=outlet_id, now=now),
        "totals": {"today": today_table["total"], "open": sum(b["open"] for b in backlog),
                   "overdue": sum(b["overdue"] for b in backlog),
                   "deferred_waiting": sum(d["waiting"] for d in devices)},
    }


NO_OUTLET = "（无受理网点）"  # desk.workload: a row of the businesses without an outlet, by channel


def _table(table: dict) -> dict:
    """A businesses table's rows without an outlet named in the page's language (by channel)."""
    for row in table["rows"]:
        if row["outlet_id"] is None and row["label"].endswith(NO_OUTLET):
            channel = text(row["label"][:-len(NO_OUTLET)], "Channel")
            row["label"] = _("%(channel)s（无受理网点）") % {"channel": channel}
    return table


def _context(request, form: DashboardFilter, **extra) -> dict:
    context = {"title": _("主管看板"), "form": form, "errors": {}, **area_nav(request, "web:dashboard"),
               **extra}
    if form.is_valid():
        context["filters"] = form.cleaned_data
        context.update(_figures(form.cleaned_data))
        # show the period in effect (the defaults too) in the date inputs
        form.data = form.data.copy()
        form.data.update({"date_from": form.cleaned_data["date_from"].isoformat(),
                          "date_to": form.cleaned_data["date_to"].isoformat()})
    else:
        context["errors"] = form.page_errors()
    return context


@page("page.dashboard")
@require_GET
def dashboard(request):
    form = DashboardFilter(request.GET, outlets=outlet_choices())
    context = _context(request, form)
    return render(request, BODY if request.htmx else TEMPLATE, context, status=400 if context["errors"] else 200)


FILTER_KEYS = ("outlet", "date_from", "date_to", "device")


def _switch_notice(outlet) -> str:
    notice = _("已将%(outlet)s的制卡设备设为“%(status)s”。") % {
        "outlet": outlet.name, "status": label(DeviceStatus, outlet.issuance_status)}
    waiting = workload.deferred_waiting().get(outlet.pk, {}).get("waiting", 0)
    if waiting and outlet.issuance_status == DeviceStatus.WORKING:
        notice += ngettext("该网点有 %(n)s 笔延时制卡业务等待制卡，请通知窗口尽快办理。",
                           "该网点有 %(n)s 笔延时制卡业务等待制卡，请通知窗口尽快办理。",
                           waiting) % {"n": waiting}
    return notice


@page("evaluation.follow_up_close")
@require_POST
def follow_up_close(request, follow_up_id: int):
    """差评整改办结 from the dashboard's follow-up list; back to the dashboard with the outcome."""
    try:
        evaluation_follow_up_close(actor=request.actor, follow_up_id=follow_up_id,
                                   resolution=request.POST.get("resolution", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("差评整改已办结。"))
    return redirect(f"{reverse('web:dashboard')}#follow-ups")


@page("outlet.issuance_status_set")
@require_POST
def device_status_set(request, outlet_id: int):
    """The switch: set one outlet's issuance device status; the device section (htmx) or the page again."""
    form = DeviceSwitchForm(request.POST)
    # the filters the section was shown with ride along (hidden), so it comes back as it was
    filters = DashboardFilter({k: request.POST.get(k, "") for k in FILTER_KEYS}, outlets=outlet_choices())
    errors, notice, status = {}, "", 200
    if form.is_valid():
        try:
            outlet = outlet_issuance_status_set(actor=request.actor, outlet_id=outlet_id,
                                                status=form.cleaned_data["status"], note=form.cleaned_data["note"])
        except DomainError as exc:
            field = exc.details.get("field") if exc.details.get("field") in form.fields else "status"
            errors, status = {field: exc.message}, exc.status
        else:
            notice = _switch_notice(outlet)
    else:
        errors, status = form.page_errors(), 400
    if not request.htmx:
        if not errors:
            messages.success(request, notice)
            query = urlencode({k: v for k, v in filters.data.items() if v})
            return redirect(f"{reverse('web:dashboard')}{'?' + query if query else ''}#devices")
        context = _context(request, filters, device_errors=errors, device_error_outlet=outlet_id)
        context["errors"] = {f"{name}-{outlet_id}": message for name, message in errors.items()}
        return render(request, TEMPLATE, context, status=status)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    context = {"devices": device_rows(now=clock.now(), outlet_id=cleaned.get("outlet"),
                                      failed_only=cleaned.get("device") == "failed"),
               "device_errors": errors, "device_error_outlet": outlet_id, "device_notice": notice, "form": filters}
    return render(request, DEVICES, context, status=status)
