"""desk.workload: the dashboard's reads (businesses per outlet, type and day; backlog; overdue review;
on-time rate; deferred cards waiting), in Beijing days."""

import datetime as dt

import pytest

from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk import workload
from sscard.testing import factories as f
from sscard.testing.desk import make_request

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)
D = dt.date(2026, 3, 2)


def test_days_are_beijing_days():
    outlet = f.make_outlet()
    make_request(outlet=outlet, created_at=dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC))  # 00:30 on 2 March
    make_request(outlet=outlet, created_at=dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC))  # 23:30 on 1 March
    days = workload.businesses_per_day(start=dt.date(2026, 3, 1), end=D)
    assert [(d["date"], d["count"]) for d in days] == [(dt.date(2026, 3, 1), 1), (D, 1)]
    assert workload.businesses_by_outlet(start=D, end=D)["total"] == 1


def test_businesses_by_outlet_group_rows_without_an_outlet_by_channel():
    a = f.make_outlet(name="甲网点")
    make_request(outlet=a, business="unlock", created_at=MON)
    make_request(channel="phone", business="loss_report", created_at=MON)
    make_request(channel="app", business="apply", created_at=MON)
    table = workload.businesses_by_outlet(start=D, end=D)
    assert [c for c, _ in table["businesses"]] == ["apply", "loss_report", "unlock"]
    assert {r["label"] for r in table["rows"]} == {"甲网点", "12333电话（无受理网点）", "重庆人社APP（无受理网点）"}
    assert workload.businesses_by_outlet(start=D, end=D, outlet_id=a.pk)["total"] == 1
    with pytest.raises(ValueError):
        workload.businesses_per_day(start=D, end=D - dt.timedelta(days=1))


def test_review_limit_counts_working_days_from_the_day_after_submission():
    # submitted Monday 2 March: the 5 working days end at the close of Monday 9 March
    assert workload.review_limit_start(dt.datetime(2026, 3, 9, 23, 0, tzinfo=CST)) == workload.day_start(
        dt.date(2026, 3, 2))
    assert workload.review_limit_start(dt.datetime(2026, 3, 10, 0, 1, tzinfo=CST)) == workload.day_start(
        dt.date(2026, 3, 3))


def test_backlog_and_overdue_review_by_outlet():
    clock.freeze(dt.datetime(2026, 3, 10, 9, 0, tzinfo=CST))
    pickup = f.make_outlet()
    late = make_request(channel="app", status="pending_review", created_at=MON, pickup_outlet=pickup)
    make_request(channel="app", status="pending_review", created_at=MON + dt.timedelta(days=1))
    rows = workload.review_overdue()
    assert [r["request_no"] for r in rows] == [late.request_no] and rows[0]["hours_overdue"] == 9.0
    assert workload.review_overdue(outlet_id=f.make_outlet().pk) == []
    central = {b["mode"]: b for b in workload.backlog()}["central"]
    assert (central["open"], central["waiting_review"], central["review_overdue"], central["overdue"]) == (2, 2, 1, 1)
    mine = {b["mode"]: b for b in workload.backlog(outlet_id=pickup.pk)}["central"]
    assert (mine["open"], mine["overdue"]) == (1, 1)


def test_deferred_waiting_per_outlet_with_the_oldest_time_left():
    clock.freeze(MON)
    outlet = f.make_outlet()
    for hours in (20, 3):
        make_request(outlet=outlet, status="in_production", production_mode="deferred",
                     due_at=MON + dt.timedelta(hours=hours))
    make_request(outlet=outlet, status="completed", production_mode="deferred", due_at=MON)
    waiting = workload.deferred_waiting()
    assert waiting[outlet.pk]["waiting"] == 2 and waiting[outlet.pk]["seconds_left"] == 3 * 3600


def test_on_time_counts_cards_made_by_the_due_time():
    clock.freeze(MON)
    due = MON - dt.timedelta(hours=5)
    made = f.make_card(f.make_person(), state="made")
    Card.objects.filter(pk=made.pk).update(made_at=due)
    make_request(status="ready_for_pickup", production_mode="central", channel="app", due_at=due, new_card=made)
    make_request(status="in_production", production_mode="central", channel="app", due_at=due)
    make_request(status="rejected", production_mode="central", channel="app", due_at=due)
    (day,) = workload.on_time_per_day(start=D, end=D)
    assert (day["due"], day["on_time"], day["rate"]) == (2, 1, 50.0)
