"""Display helpers of the supervisor's pages: Beijing time, amounts, durations, audit values.  Formatting
only: what a value means is decided by the services and selectors."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()

LIST_SHOWN = 5
# The keys the trail's events use most, in Chinese (others are shown as written).
KEY_LABELS = {
    "status": "状态", "state": "卡状态", "issuance_status": "制卡设备状态", "note": "说明", "via": "途径",
    "reason": "原因", "request_no": "业务编号", "card_no": "社保卡号", "business": "业务", "channel": "渠道",
    "role": "办理方式", "amount_fen": "金额（分）", "amount_yuan": "金额（元）", "receipt_no": "收据号",
    "method": "结算方式", "pending_steps": "待办环节", "production_mode": "制卡方式", "outlet_code": "网点代码",
    "outlet_id": "网点ID", "kind": "类型", "name": "名称", "date": "日期", "is_active": "启用",
    "has_signature_pad": "数字签字板", "has_digital_archive": "数字化存档", "accepts_pickup": "领卡服务",
    "purpose": "用途", "batch_no": "批次号", "requests": "业务", "cards": "社保卡", "tracking_no": "邮件单号",
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
        return f"{days}天{hours}小时"
    return f"{hours}小时{minutes:02d}分" if hours else f"{minutes}分钟"


@register.filter
def time_left(seconds):
    """Seconds left against a limit, in words: 剩余 5小时12分 / 已超时 3小时05分."""
    if seconds is None:
        return "—"
    if seconds >= 0:
        return f"剩余 {_hours_minutes(seconds)}"
    return f"已超时 {_hours_minutes(seconds)}"


@register.filter
def hours_words(hours):
    """Hours overdue (a float) in words."""
    if hours is None:
        return "—"
    return _hours_minutes(float(hours) * 3600)


@register.filter
def yes_no(value):
    return "是" if value else "否"


@register.filter
def audit_value(value):
    """An audit event's value on one line: lists cut after a few items, nested mappings as key=value."""
    if isinstance(value, list):
        shown = "、".join(audit_value(v) for v in value[:LIST_SHOWN])
        return shown + (f" 等 {len(value)} 项" if len(value) > LIST_SHOWN else "")
    if isinstance(value, dict):
        return "；".join(f"{KEY_LABELS.get(k, k)}：{audit_value(v)}" for k, v in value.items())
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
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
