"""Reads for the supervisor's dashboard: businesses taken in per outlet, type and day; the backlog and the
overdue items against the procedure's limits; the on-time rate; the deferred cards waiting per outlet.

Every business of every channel is one ``ServiceRequest`` row (the one-call businesses are stored
``completed`` for the record, an employer batch has one row per person), so the rows are the count of
businesses; days are Beijing days.

The limits (``policy/catalogue.toml`` settings), each tied to a production mode:

* ``deferred``: window / kiosk issuance when the outlet's device or network failed, 24 hours;
* ``central``: applications in the app, 5 working days from submission (review, then production);
* ``batch``: employer batches, 10 working days from submission.

Rule (overdue): a request is overdue while it is still in production after its due time (as
``selectors.production_requests_overdue``); an app application still waiting for review when its 5
working days have run out is overdue too (review is the back office's own step; a fee not yet paid is
not).  On time: the card was made (``new_card.made_at``) by the due time; a request counts on the day
its due time falls, once its card is made or its due time has passed; voided and rejected ones do not
count, nor instant issuance (no limit runs).
"""

import datetime as dt

from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncDate

from sscard.core import clock, masking
from sscard.desk.choices import (
    EvaluationLevel,
    FollowUpStatus,
    ProductionMode,
    RequestStatus,
)
from sscard.desk.models import EvaluationFollowUp, ServiceEvaluation, ServiceRequest
from sscard.desk.selectors import at_outlet_q, open_production_requests
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business, Channel
from sscard.workdays.rules import SHANGHAI
from sscard.workdays.selectors import add_working_days

LIMITED_MODES = (ProductionMode.DEFERRED, ProductionMode.CENTRAL, ProductionMode.BATCH)
NOT_COUNTED = (RequestStatus.VOIDED, RequestStatus.REJECTED)
MAX_DAYS = 366


def day_start(d: dt.date) -> dt.datetime:
    """00:00 of a Beijing day, aware."""
    return dt.datetime.combine(d, dt.time.min, tzinfo=SHANGHAI)


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValueError(f"a period is 1 to {MAX_DAYS} days")
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _created_in(start: dt.date, end: dt.date, outlet_id: int | None):
    qs = ServiceRequest.objects.filter(created_at__gte=day_start(start), created_at__lt=day_start(end) + dt.timedelta(days=1))
    return qs.filter(outlet_id=outlet_id) if outlet_id is not None else qs


# ---------------------------------------------------------------- businesses taken in


def businesses_by_outlet(*, start: dt.date, end: dt.date, outlet_id: int | None = None) -> dict:
    """Businesses taken in from ``start`` to ``end`` (Beijing days, inclusive) per outlet and type.

    Rows without an outlet (the app, the 12333 hotline) are grouped by channel.  Returns ``businesses``
    (the types present, as (code, label), in the procedure's order), ``rows`` (label, counts aligned with
    ``businesses``, total; busiest first), ``totals`` and ``total``.
    """
    _days(start, end)
    counts: dict[tuple, dict[str, int]] = {}
    labels: dict[tuple, str] = {}
    for r in (_created_in(start, end, outlet_id).values("outlet_id", "outlet__name", "channel", "business")
              .annotate(n=Count("id"))):
        key = ("outlet", r["outlet_id"]) if r["outlet_id"] else ("channel", r["channel"])
        labels[key] = r["outlet__name"] if r["outlet_id"] else \
            f"{Channel(r['channel']).label if r['channel'] in Channel.values else r['channel']}（无受理网点）"
        row = counts.setdefault(key, {})
        row[r["business"]] = row.get(r["business"], 0) + r["n"]
    present = {b for row in counts.values() for b in row}
    businesses = [(b.value, str(b.label)) for b in Business if b.value in present]
    businesses += [(b, b) for b in sorted(present - set(Business.values))]
    rows = [{"label": labels[key], "outlet_id": key[1] if key[0] == "outlet" else None,
             "counts": [row.get(code, 0) for code, _ in businesses], "total": sum(row.values())}
            for key, row in counts.items()]
    rows.sort(key=lambda r: (-r["total"], r["label"]))
    totals = [sum(r["counts"][i] for r in rows) for i in range(len(businesses))]
    return {"businesses": businesses, "rows": rows, "totals": totals, "total": sum(totals)}


def businesses_per_day(*, start: dt.date, end: dt.date, outlet_id: int | None = None) -> list[dict]:
    """Businesses taken in on each Beijing day of the period (days without any included, as 0)."""
    days = _days(start, end)
    found = dict(_created_in(start, end, outlet_id).annotate(day=TruncDate("created_at", tzinfo=SHANGHAI))
                 .values("day").annotate(n=Count("id")).values_list("day", "n"))
    return [{"date": d, "count": found.get(d, 0)} for d in days]


# ---------------------------------------------------------------- on time


def on_time_per_day(*, start: dt.date, end: dt.date, outlet_id: int | None = None, now=None) -> list[dict]:
    """Per Beijing day of the period: the limited productions due that day that count (card made, or due
    time passed), how many were made on time, and the rate (``None`` on a day without any)."""
    now = now or clock.now()
    days = _days(start, end)
    qs = (ServiceRequest.objects.filter(production_mode__in=LIMITED_MODES, due_at__gte=day_start(start),
                                        due_at__lt=day_start(end) + dt.timedelta(days=1))
          .exclude(status__in=NOT_COUNTED))
    if outlet_id is not None:
        qs = qs.filter(at_outlet_q(outlet_id))
    found = {r["day"]: r for r in qs.annotate(day=TruncDate("due_at", tzinfo=SHANGHAI)).values("day").annotate(
        counted=Count("id", filter=Q(new_card__isnull=False) | Q(due_at__lte=now)),
        on_time=Count("id", filter=Q(new_card__made_at__lte=F("due_at"))))}
    out = []
    for d in days:
        r = found.get(d, {"counted": 0, "on_time": 0})
        counted, on_time = r["counted"], r["on_time"]
        out.append({"date": d, "due": counted, "on_time": on_time, "late": counted - on_time,
                    "rate": round(100 * on_time / counted, 1) if counted else None})
    return out


# ---------------------------------------------------------------- backlog and overdue


def review_limit_start(now=None) -> dt.datetime:
    """App applications submitted before this instant have run out of their working days (the limit
    counts from the day after submission and ends at the close of its last working day)."""
    now = now or clock.now()
    n = int(policy_setting("app_production_working_days"))
    day = now.astimezone(SHANGHAI).date()
    for _ in range(MAX_DAYS):
        if add_working_days(day_start(day), n).due_at < now:
            break
        day -= dt.timedelta(days=1)
    return day_start(day + dt.timedelta(days=1))


def _review_waiting(outlet_id: int | None):
    qs = ServiceRequest.objects.filter(status=RequestStatus.PENDING_REVIEW, channel=Channel.APP)
    return qs.filter(at_outlet_q(outlet_id)) if outlet_id is not None else qs


def review_overdue(*, now=None, limit: int = 100, outlet_id: int | None = None) -> list[dict]:
    """App applications still waiting for review after their working days ran out, oldest first, masked
    (the same shape as ``selectors.overdue_production``)."""
    now = now or clock.now()
    n = int(policy_setting("app_production_working_days"))
    qs = (_review_waiting(outlet_id).filter(created_at__lt=review_limit_start(now))
          .select_related("applicant", "pickup_outlet").order_by("created_at", "id"))
    rows = []
    for req in qs[:limit]:
        due = add_working_days(req.created_at, n)
        rows.append({
            "request_no": req.request_no, "business": req.business, "channel": req.channel,
            "production_mode": ProductionMode.CENTRAL, "status": req.status,
            "applicant_name": masking.mask_name(req.applicant.name), "outlet": None,
            "pickup_outlet": req.pickup_outlet.name if req.pickup_outlet_id else None,
            "due_at": due.due_at, "due_provisional": due.provisional,
            "hours_overdue": round((now - due.due_at).total_seconds() / 3600, 1),
        })
    return rows


def _limit_text(setting: str, unit: str) -> str:
    return f"{policy_setting(setting)}{unit}"


LIMITS = (
    (ProductionMode.DEFERRED, "窗口延时制卡（设备或网络故障）", "instant_fallback_hours", "小时"),
    (ProductionMode.CENTRAL, "网上申办（审核与制卡）", "app_production_working_days", "个工作日"),
    (ProductionMode.BATCH, "单位批量制卡", "batch_production_working_days", "个工作日"),
)


def backlog(*, now=None, outlet_id: int | None = None) -> list[dict]:
    """Per limit: the open businesses (taken in, not finished), those in production, those due within 24
    hours, and the overdue ones (see the module's rule)."""
    now = now or clock.now()
    soon = now + dt.timedelta(hours=24)
    open_qs = open_production_requests()
    if outlet_id is not None:
        open_qs = open_qs.filter(at_outlet_q(outlet_id))
    by_mode = {r["production_mode"]: r for r in open_qs.values("production_mode").annotate(
        open=Count("id"),
        in_production=Count("id", filter=Q(status=RequestStatus.IN_PRODUCTION)),
        due_soon=Count("id", filter=Q(status=RequestStatus.IN_PRODUCTION, due_at__gte=now, due_at__lt=soon)),
        overdue=Count("id", filter=Q(status=RequestStatus.IN_PRODUCTION, due_at__lt=now)))}
    reviews = _review_waiting(outlet_id)
    waiting_review = reviews.count()
    review_late = reviews.filter(created_at__lt=review_limit_start(now)).count() if waiting_review else 0
    rows = []
    for mode, label, setting, unit in LIMITS:
        r = by_mode.get(mode, {"open": 0, "in_production": 0, "due_soon": 0, "overdue": 0})
        row = {"mode": mode, "label": label, "limit": _limit_text(setting, unit), "open": r["open"],
               "in_production": r["in_production"], "due_soon": r["due_soon"], "overdue": r["overdue"],
               "waiting_review": 0, "review_overdue": 0}
        if mode == ProductionMode.CENTRAL:
            # app applications before review have no production mode yet: they count against this limit
            row["open"] += waiting_review
            row["waiting_review"], row["review_overdue"] = waiting_review, review_late
            row["overdue"] += review_late
        rows.append(row)
    return rows


def deferred_waiting(*, now=None) -> dict[int, dict]:
    """Per outlet: the deferred cards waiting to be made (``deferred``, in production), and the oldest
    one's due time and the seconds left against the 24 hours (negative: overdue)."""
    now = now or clock.now()
    out = {}
    for r in (ServiceRequest.objects.filter(status=RequestStatus.IN_PRODUCTION, production_mode=ProductionMode.DEFERRED,
                                            outlet__isnull=False)
              .values("outlet_id").annotate(n=Count("id"), oldest_due=Min("due_at"))):
        left = (r["oldest_due"] - now).total_seconds() if r["oldest_due"] else None
        out[r["outlet_id"]] = {"waiting": r["n"], "oldest_due_at": r["oldest_due"], "seconds_left": left}
    return out


def evaluation_summary(*, start, end, outlet_id: int | None = None) -> dict:
    """好差评 of the period (Beijing dates, inclusive): count per level, total, and the share of good ratings
    (非常满意 and 满意) — anonymous figures only."""
    from_dt, to_dt = day_start(start), day_start(end + dt.timedelta(days=1))
    qs = ServiceEvaluation.objects.filter(created_at__gte=from_dt, created_at__lt=to_dt)
    if outlet_id is not None:
        qs = qs.filter(outlet_id=outlet_id)
    counts = {row["level"]: row["n"] for row in qs.values("level").annotate(n=Count("id"))}
    levels = [{"level": v, "label": str(label), "count": counts.get(v, 0)} for v, label in EvaluationLevel.choices]
    total = sum(counts.values())
    good = counts.get(EvaluationLevel.VERY_SATISFIED, 0) + counts.get(EvaluationLevel.SATISFIED, 0)
    return {"levels": levels, "total": total, "good_rate": round(100 * good / total, 1) if total else None}


def follow_ups_open(*, outlet_id: int | None = None, now=None, limit: int = 100) -> list[dict]:
    """Bad ratings still to be settled, soonest due first, with the business and the reason given."""
    now = now or clock.now()
    qs = (EvaluationFollowUp.objects.filter(status=FollowUpStatus.OPEN)
          .select_related("evaluation__request", "evaluation__outlet").order_by("due_at"))
    if outlet_id is not None:
        qs = qs.filter(evaluation__outlet_id=outlet_id)
    return [{"id": fu.pk, "request_no": fu.evaluation.request.request_no,
             "business_label": str(Business(fu.evaluation.request.business).label),
             "outlet": fu.evaluation.outlet.name if fu.evaluation.outlet_id else fu.evaluation.channel,
             "served_by": fu.evaluation.served_by, "level_label": fu.evaluation.get_level_display(),
             "reason": fu.evaluation.reason, "due_at": fu.due_at, "overdue": fu.due_at < now}
            for fu in qs[:limit]]
