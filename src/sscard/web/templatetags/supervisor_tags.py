"""Display helpers of the supervisor's pages: Beijing time, amounts, durations, audit values.  Formatting
only: what a value means is decided by the services and selectors.  Words in the page's language."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

register = template.Library()

LIST_SHOWN = 5
# The keys the trail's events use most, named in the page's language (others are shown as written).
KEY_LABELS = {
    "status": pgettext_lazy("audit key", "状态"), "state": pgettext_lazy("audit key", "卡状态"),
    "issuance_status": pgettext_lazy("audit key", "制卡设备状态"),
    "note": pgettext_lazy("audit key", "说明"), "via": pgettext_lazy("audit key", "途径"),
    "reason": pgettext_lazy("audit key", "原因"), "request_no": pgettext_lazy("audit key", "业务编号"),
    "card_no": pgettext_lazy("audit key", "社保卡号"), "business": pgettext_lazy("audit key", "业务"),
    "channel": pgettext_lazy("audit key", "渠道"), "role": pgettext_lazy("audit key", "办理方式"),
    "amount_fen": pgettext_lazy("audit key", "金额（分）"),
    "amount_yuan": pgettext_lazy("audit key", "金额（元）"),
    "receipt_no": pgettext_lazy("audit key", "收据号"), "method": pgettext_lazy("audit key", "结算方式"),
    "pending_steps": pgettext_lazy("audit key", "待办环节"),
    "production_mode": pgettext_lazy("audit key", "制卡方式"),
    "outlet_code": pgettext_lazy("audit key", "网点代码"),
    "outlet_id": pgettext_lazy("audit key", "网点ID"), "kind": pgettext_lazy("audit key", "类型"),
    "name": pgettext_lazy("audit key", "名称"), "date": pgettext_lazy("audit key", "日期"),
    "is_active": pgettext_lazy("audit key", "启用"),
    "has_signature_pad": pgettext_lazy("audit key", "数字签字板"),
    "has_digital_archive": pgettext_lazy("audit key", "数字化存档"),
    "accepts_pickup": pgettext_lazy("audit key", "领卡服务"), "purpose": pgettext_lazy("audit key", "用途"),
    "batch_no": pgettext_lazy("audit key", "批次号"), "requests": pgettext_lazy("audit key", "业务"),
    "cards": pgettext_lazy("audit key", "社保卡"), "tracking_no": pgettext_lazy("audit key", "邮件单号"),
}


@register.filter
def beijing(value, fmt: str = "%Y-%m-%d %H:%M"):
    """An aware time as Beijing time (the page's time zone), or "—"."""
    if not isinstance(value, dt.datetime):
        return "—"
    return timezone.localtime(value).strftime(fmt)


@register.filter
def yuan(fen):
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{part:02d}"


def _hours_minutes(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        days, hours = divmod(hours, 24)
        return _("%(days)s天%(hours)s小时") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s小时%(minutes)s分") % {"hours": hours, "minutes": f"{minutes:02d}"}
    return _("%(minutes)s分钟") % {"minutes": minutes}


@register.filter
def time_left(seconds):
    """Seconds left against a limit, in words: 剩余 5小时12分 / 已超时 3小时05分."""
    if seconds is None:
        return "—"
    if seconds >= 0:
        return _("剩余 %(time)s") % {"time": _hours_minutes(seconds)}
    return _("已超时 %(time)s") % {"time": _hours_minutes(seconds)}


@register.filter
def hours_words(hours):
    """Hours overdue (a float) in words."""
    if hours is None:
        return "—"
    return _hours_minutes(float(hours) * 3600)


@register.filter
def yes_no(value):
    return _("是") if value else _("否")


@register.filter
def audit_value(value):
    """An audit event's value on one line: lists cut after a few items, nested mappings as key=value."""
    if isinstance(value, list):
        shown = pgettext("list separator", "、").join(audit_value(v) for v in value[:LIST_SHOWN])
        return shown + (_(" 等 %(count)s 项") % {"count": len(value)} if len(value) > LIST_SHOWN else "")
    if isinstance(value, dict):
        colon = pgettext("label separator", "：")
        return pgettext("separator between key-value pairs", "；").join(
            f"{KEY_LABELS.get(k, k)}{colon}{audit_value(v)}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    return str(value)


@register.filter
def items_sorted(mapping):
    return sorted(mapping.items()) if isinstance(mapping, dict) else []


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current GET query with some keys changed (a pager's links keep the search)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
