"""网点与参数设置 (supervisors, administrators): outlets' means and services, the fee schedule, the holiday
calendar.  Lists, and edit forms that show the change for checking (核对修改: each field before and after)
before the service makes it; every change goes through its service (``staff.outlets``,
``fees.schedule``, ``workdays.services``) and is audited there."""

from dataclasses import dataclass, field
from typing import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.fees.schedule import fee_rule_add, fee_rule_change
from sscard.fees.selectors import fee_rule_get, fee_rules_list
from sscard.policy.choices import Business, CardReason
from sscard.staff.choices import OutletLevel
from sscard.staff.outlets import outlet_settings_change
from sscard.staff.selectors import outlet_get, outlets_list
from sscard.web.access import page
from sscard.web.supervisor_forms import (
    CalendarDayAddForm,
    CalendarDayForm,
    CalendarYearForm,
    FeeRuleAddForm,
    FeeRuleForm,
    OutletSettingsForm,
    yuan_to_fen,
)
from sscard.web.templatetags.supervisor_tags import yuan
from sscard.web.views.areas import area_nav
from sscard.web.vocabulary import label
from sscard.workdays.choices import DayKind
from sscard.workdays.selectors import (
    calendar_day_get,
    calendar_days,
    calendar_year_status,
)
from sscard.workdays.services import (
    calendar_day_add,
    calendar_day_change,
    calendar_day_delete,
)

SECTIONS = (("web:settings", gettext_lazy("网点")), ("web:settings_fees", gettext_lazy("收费标准")),
            ("web:settings_calendar", gettext_lazy("节假日日历")))


def _base(request, section: str, title: str) -> dict:
    return {"title": title, "errors": {}, "section": section, **area_nav(request, "web:settings"),
            "sections": [{"url": reverse(name), "label": label, "current": name == section} for name, label in SECTIONS]}


def _display(form, name: str, value) -> str:
    """A value as the check page shows it: choices by label, booleans 是/否, amounts in yuan."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "amount":
        return _("%(amount)s 元") % {"amount": yuan(value)}
    choices = dict(getattr(form.fields.get(name), "choices", []) or [])
    if value in choices:
        return str(choices[value])
    return str(value) if value not in (None, "") else _("（空）")


@dataclass
class Edit:
    """One edit page: its form, the current values (in the form's terms), how to commit the change."""

    title: str
    section: str
    form_class: type
    current: dict
    commit: Callable[[dict], dict | object]
    done_url: str
    done_message: str
    heading: str = ""
    extra: dict = field(default_factory=dict)


def _values(form) -> dict:
    """The form's values in the services' terms (amounts in fen)."""
    data = dict(form.cleaned_data)
    if "amount" in data and data["amount"] is not None:
        data["amount"] = yuan_to_fen(data["amount"])
    return data


def _hidden(form) -> list[tuple[str, str]]:
    """The checked values again, as the check page's hidden inputs (an unticked box sends nothing)."""
    out = []
    for name, value in form.cleaned_data.items():
        if isinstance(value, bool):
            if value:
                out.append((name, "on"))
        elif value is not None:
            out.append((name, value.isoformat() if hasattr(value, "isoformat") else str(value)))
    return out


def _edit_flow(request, edit: Edit):
    """GET: the form.  POST: check the change (核对修改), ``confirm``: make it; ``edit``: back to the form."""
    context = {**_base(request, edit.section, edit.title), "heading": edit.heading or edit.title,
               "action": request.path, **edit.extra}
    if request.method == "GET":
        initial = dict(edit.current)
        if "amount" in initial and isinstance(initial["amount"], int):
            initial["amount"] = yuan(initial["amount"])
        context["form"] = edit.form_class(initial=initial)
        return render(request, "web/supervisor/settings/form.html", context)
    form = edit.form_class(request.POST)
    context["form"] = form
    if not form.is_valid():
        context["errors"] = form.page_errors()
        return render(request, "web/supervisor/settings/form.html", context, status=400)
    values = _values(form)
    if "edit" in request.POST:
        back_to = request.POST["edit"]
        if back_to in form.fields:
            form.fields[back_to].widget.attrs["autofocus"] = True
        return render(request, "web/supervisor/settings/form.html", context)
    if "confirm" in request.POST:
        try:
            edit.commit(values)
        except DomainError as exc:
            form.add_domain_error(exc)
            context["errors"] = form.page_errors()
            return render(request, "web/supervisor/settings/form.html", context, status=exc.status)
        messages.success(request, edit.done_message)
        return redirect(edit.done_url)
    rows = [{"name": name, "label": form.fields[name].label, "before": _display(form, name, edit.current.get(name))
             if name in edit.current else "—", "after": _display(form, name, values[name]),
             "changed": name not in edit.current or edit.current[name] != values[name]}
            for name in form.fields]
    context.update({"rows": rows, "changed": any(r["changed"] for r in rows), "hidden": _hidden(form)})
    return render(request, "web/supervisor/settings/review.html", context)


# ---------------------------------------------------------------- outlets


@page("settings.view")
@require_GET
def outlets(request):
    context = _base(request, "web:settings", _("网点与参数设置 · 网点"))
    context["outlets"] = outlets_list()
    return render(request, "web/supervisor/settings/outlets.html", context)


@page("outlet.settings_change")
@require_http_methods(["GET", "POST"])
def outlet_edit(request, outlet_id: int):
    try:
        outlet = outlet_get(outlet_id)
    except DomainError as exc:
        return render(request, "web/error.html", {"error": exc, "title": _("未找到")}, status=exc.status)
    current = {name: getattr(outlet, name) for name in OutletSettingsForm.base_fields}
    return _edit_flow(request, Edit(
        title=_("修改网点配置：%(outlet)s") % {"outlet": outlet.name}, section="web:settings",
        form_class=OutletSettingsForm, current=current,
        commit=lambda v: outlet_settings_change(actor=request.actor, outlet_id=outlet.pk, **v),
        done_url=reverse("web:settings"),
        done_message=_("已保存%(outlet)s的网点配置。") % {"outlet": outlet.name},
        extra={"subject": _("%(district)s · %(level)s · 网点代码 %(code)s") % {
            "district": outlet.district, "level": label(OutletLevel, outlet.level), "code": outlet.code}}))


# ---------------------------------------------------------------- the fee schedule


@page("settings.view")
@require_GET
def fees(request):
    context = _base(request, "web:settings_fees", _("网点与参数设置 · 收费标准"))
    context["rules"] = [{"rule": r, "business": label(Business, r.business),
                         "reason": label(CardReason, r.reason) if r.reason in CardReason.values
                         else _("任意原因")}
                        for r in fee_rules_list()]
    return render(request, "web/supervisor/settings/fees.html", context)


@page("fee.rule_change")
@require_http_methods(["GET", "POST"])
def fee_edit(request, rule_id: int):
    try:
        rule = fee_rule_get(rule_id)
    except DomainError as exc:
        return render(request, "web/error.html", {"error": exc, "title": _("未找到")}, status=exc.status)
    rule_label = _("%(business)s（%(reason)s）") % {
        "business": label(Business, rule.business),
        "reason": label(CardReason, rule.reason) if rule.reason else _("任意原因")}
    return _edit_flow(request, Edit(
        title=_("修改收费标准：%(rule)s") % {"rule": rule_label}, section="web:settings_fees",
        form_class=FeeRuleForm,
        current={"amount": rule.amount_fen, "note": rule.note, "is_active": rule.is_active},
        commit=lambda v: fee_rule_change(actor=request.actor, rule_id=rule.pk, amount_fen=v["amount"], note=v["note"],
                                         is_active=v["is_active"]),
        done_url=reverse("web:settings_fees"),
        done_message=_("已保存收费标准：%(rule)s。") % {"rule": rule_label},
        extra={"hint": _("修改后新受理的业务按新标准收费；已受理业务的应缴金额不变。")}))


@page("fee.rule_change")
@require_http_methods(["GET", "POST"])
def fee_add(request):
    return _edit_flow(request, Edit(
        title=_("新增收费标准"), section="web:settings_fees", form_class=FeeRuleAddForm, current={},
        commit=lambda v: fee_rule_add(actor=request.actor, business=v["business"], reason=v["reason"],
                                      amount_fen=v["amount"], note=v["note"]),
        done_url=reverse("web:settings_fees"), done_message=_("已新增收费标准。"),
        extra={"hint": _("同一业务可按原因分别定价；适用时先找“业务 + 原因”，再找“业务 + 任意原因”；"
                         "没有标准的业务免费。")}))


# ---------------------------------------------------------------- the holiday calendar


@page("settings.view")
@require_GET
def calendar(request):
    context = _base(request, "web:settings_calendar", _("网点与参数设置 · 节假日日历"))
    form = CalendarYearForm(request.GET)
    year = clock.today().year
    if form.is_valid():
        year = form.cleaned_data["year"] or year
    else:
        context["errors"] = form.page_errors()
    context.update({"form": form, "year": year, "days": calendar_days(year=year),
                    "status": calendar_year_status(year)})
    return render(request, "web/supervisor/settings/calendar.html", context, status=400 if context["errors"] else 200)


def _calendar_url(year: int) -> str:
    return f"{reverse('web:settings_calendar')}?year={year}"


@page("calendar.day_change")
@require_http_methods(["GET", "POST"])
def calendar_add(request):
    def commit(v):
        day = calendar_day_add(actor=request.actor, date=v["date"], kind=v["kind"], name=v["name"], note=v["note"])
        edit.done_url = _calendar_url(day.date.year)
        return day

    edit = Edit(title=_("新增节假日或调休日"), section="web:settings_calendar", form_class=CalendarDayAddForm,
                current={}, commit=commit, done_url=_calendar_url(clock.today().year),
                done_message=_("已新增日历记录。"),
                extra={"hint": _("此处的记录优先于内置的国务院节假日安排和“周一至周五上班”的默认规则；"
                                 "已算出的办理时限不变，新算的时限按修改后的日历。")})
    return _edit_flow(request, edit)


@page("calendar.day_change")
@require_http_methods(["GET", "POST"])
def calendar_edit(request, day_id: int):
    try:
        day = calendar_day_get(day_id)
    except DomainError as exc:
        return render(request, "web/error.html", {"error": exc, "title": _("未找到")}, status=exc.status)
    return _edit_flow(request, Edit(
        title=_("修改日历：%(date)s") % {"date": day.date.isoformat()}, section="web:settings_calendar", form_class=CalendarDayForm,
        current={"kind": day.kind, "name": day.name, "note": day.note},
        commit=lambda v: calendar_day_change(actor=request.actor, day_id=day.pk, kind=v["kind"], name=v["name"],
                                             note=v["note"]),
        done_url=_calendar_url(day.date.year), done_message=_("已保存 %(date)s 的日历记录。") % {"date": day.date.isoformat()}))


@page("calendar.day_change")
@require_http_methods(["GET", "POST"])
def calendar_delete(request, day_id: int):
    """Delete a date's row, after a page that asks to confirm (GET)."""
    context = _base(request, "web:settings_calendar", _("删除日历记录"))
    try:
        day = calendar_day_get(day_id)
        if request.method == "POST":
            calendar_day_delete(actor=request.actor, day_id=day.pk)
            messages.success(request, _("已删除 %(date)s 的日历记录，该日恢复按默认规则计算。") % {
                "date": day.date.isoformat()})
            return redirect(_calendar_url(day.date.year))
    except DomainError as exc:
        return render(request, "web/error.html", {"error": exc, "title": _("无法删除")}, status=exc.status)
    context.update({"day": day, "kind_label": label(DayKind, day.kind),
                    "back_url": _calendar_url(day.date.year)})
    return render(request, "web/supervisor/settings/calendar_delete.html", context)
