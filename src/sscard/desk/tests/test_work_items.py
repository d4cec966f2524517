"""12333 work items to an outlet (desk.work_items): sent for a verified caller only, due in working days,
accepted and closed by the target outlet, cancelled by the operator who sent it or a supervisor; every
pair of the state table; every write audited, masked."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock, crypto
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.desk.choices import WorkItemEvent as E
from sscard.desk.choices import WorkItemState as S
from sscard.desk.hotline import caller_verify
from sscard.desk.models import WorkItem
from sscard.desk.rules import WORK_ITEM_TRANSITIONS, work_item_next
from sscard.desk.selectors import (
    work_item_for_actor,
    work_items_list,
    work_items_of_caller,
    work_items_overdue,
    work_items_waiting,
)
from sscard.desk.work_items import (
    AUDIT,
    NOTE_MAX,
    work_item_accept,
    work_item_cancel,
    work_item_categories,
    work_item_close,
    work_item_create,
    work_item_phone_view,
)
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_types

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))  # Beijing time (the settings' time zone)
FRIDAY = timezone.make_aware(dt.datetime(2026, 3, 6, 16, 30))


@pytest.fixture
def operator(db):
    return Actor.for_staff(f.make_staff("hotline"))


@pytest.fixture
def caller(operator, adult, card):
    return caller_verify(actor=operator, card_no=card.card_no, name=adult.name, id_number=adult.id_number)


@pytest.fixture
def clerk_actor(clerk):
    return Actor.for_staff(clerk)


@pytest.fixture
def supervisor():
    return Actor.for_staff(f.make_staff("supervisor"))


def send(operator, caller, outlet, **kw):
    values = {"category": "预约办理", "note": "来电人需预约到窗口补办社保卡，请网点回电确认时间",
              "contact_phone": "139 1234 5678"}
    values.update(kw)
    return work_item_create(actor=operator, caller=caller, outlet_id=outlet.pk, **values)


# ---------------------------------------------------------------- sending a work item


def test_a_work_item_is_sent_for_the_verified_caller_due_in_working_days_and_audited_masked(
        operator, caller, outlet, adult, card):
    clock.freeze(MONDAY)
    item = send(operator, caller, outlet)
    assert item.work_item_no.startswith("GD20260302") and len(item.work_item_no) == 18
    assert (item.state, item.category, item.outlet_id, item.person_id, item.card_id) == (
        "open", "预约办理", outlet.pk, adult.pk, card.pk)
    assert (item.created_by_id, item.created_by_name, item.created_at) == (
        operator.staff_id, operator.name, MONDAY)
    # three working days, the first day not counted: Thursday's end, Beijing time
    assert timezone.localtime(item.due_at).replace(tzinfo=None) == dt.datetime(2026, 3, 5, 23, 59, 59, 999999)
    row = WorkItem.objects.get(pk=item.pk)
    assert row.contact_phone == "13912345678" and row.note.startswith("来电人需预约")
    assert row.contact_phone_hash == crypto.lookup_hash("13912345678", purpose="phone")
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT contact_phone, note FROM desk_workitem WHERE id = %s", [item.pk])
        stored = " ".join(cursor.fetchone())
    assert "13912345678" not in stored and "预约" not in stored
    event = AuditEvent.objects.get(event_type="WORK_ITEM_CREATED")
    assert (event.subject_type, event.subject_id, event.person_id, event.channel) == (
        "work_item", item.work_item_no, adult.pk, "phone")
    assert event.data["contact_phone"] == "139****5678" and event.data["category"] == "预约办理"
    assert "13912345678" not in str(event.data) and "预约到窗口" not in str(event.data)
    assert card.card_no not in str(event.data) and adult.id_number not in str(event.data)


def test_the_due_date_skips_the_weekend(operator, caller, outlet):
    clock.freeze(FRIDAY)
    item = send(operator, caller, outlet, contact_phone="")
    assert timezone.localtime(item.due_at).date() == dt.date(2026, 3, 11)  # Mon, Tue, Wed
    assert item.contact_phone == "" and item.contact_phone_hash == ""


def test_the_due_limit_comes_from_the_catalogue(operator, caller, outlet, settings, tmp_path):
    from sscard.policy.catalogue import DEFAULT_PATH

    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("work_item_due_working_days = 3",
                                                             "work_item_due_working_days = 1")
    (tmp_path / "catalogue.toml").write_text(text, encoding="utf-8")
    settings.SSCARD_CATALOGUE_PATH = str(tmp_path / "catalogue.toml")
    clock.freeze(MONDAY)
    assert timezone.localtime(send(operator, caller, outlet).due_at).date() == dt.date(2026, 3, 3)


def test_every_problem_of_the_form_is_named_at_once_and_nothing_is_saved(operator, caller):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as exc:
        work_item_create(actor=operator, caller=caller, outlet_id="", category="随便", note="  ",
                         contact_phone="12345")
    assert exc.value.code == "WORK_ITEM_OUTLET_REQUIRED"
    assert [(m["field"], m["code"]) for m in exc.value.details["missing"]] == [
        ("outlet", "WORK_ITEM_OUTLET_REQUIRED"), ("category", "WORK_ITEM_CATEGORY_INVALID"),
        ("note", "WORK_ITEM_NOTE_REQUIRED"), ("contact_phone", "WORK_ITEM_PHONE_INVALID")]
    assert not WorkItem.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.parametrize("outlet_id", ["999999", "x", "-1", "9" * 30, None])
def test_an_unknown_outlet_is_named(operator, caller, outlet_id):
    with pytest.raises(InvalidInput) as exc:
        work_item_create(actor=operator, caller=caller, outlet_id=outlet_id, category="投诉建议",
                         note="窗口态度")
    assert exc.value.details["missing"][0]["field"] == "outlet"


def test_an_inactive_outlet_and_a_too_long_note_are_refused(operator, caller, outlet):
    closed = f.make_outlet(is_active=False)
    with pytest.raises(InvalidInput) as exc:
        send(operator, caller, closed, note="长" * (NOTE_MAX + 1))
    assert [m["code"] for m in exc.value.details["missing"]] == [
        "WORK_ITEM_OUTLET_UNKNOWN", "WORK_ITEM_NOTE_TOO_LONG"]
    assert send(operator, caller, outlet, note="长" * NOTE_MAX).note == "长" * NOTE_MAX


def test_every_category_of_the_catalogue_may_be_sent(operator, caller, outlet):
    assert work_item_categories() == ["预约办理", "业务咨询转办", "投诉建议", "补办材料"]
    for category in work_item_categories():
        assert send(operator, caller, outlet, category=category).category == category


def test_without_a_live_caller_of_this_operator_nothing_is_sent(operator, caller, outlet, settings):
    other = Actor.for_staff(f.make_staff("hotline"))
    for who, whom in ((operator, None), (other, caller)):
        with pytest.raises(Refused) as exc:
            send(who, whom, outlet)
        assert exc.value.code == "WORK_ITEM_CALLER_NOT_VERIFIED"
    clock.freeze(caller.expires_at)
    with pytest.raises(Refused):
        send(operator, caller, outlet)
    assert not WorkItem.objects.exists() and audit_types(subject_type="work_item") == []


def test_a_caller_whose_card_is_no_longer_theirs_is_refused(operator, caller, outlet, card):
    card.person = f.make_person(name="李四")
    card.save(update_fields=["person"])
    with pytest.raises(Refused) as exc:
        send(operator, caller, outlet)
    assert exc.value.code == "WORK_ITEM_CALLER_NOT_VERIFIED" and not WorkItem.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "supervisor", "auditor", "admin"])
def test_only_the_hotline_sends_work_items(role, caller, outlet):
    actor = Actor.for_staff(f.make_staff(role, outlet if role == "clerk" else None))
    with pytest.raises(Forbidden):
        send(actor, caller, outlet)


def test_a_second_unfinished_item_of_the_same_kind_is_refused_until_the_first_is_finished(
        operator, caller, outlet, supervisor):
    first = send(operator, caller, outlet)
    with pytest.raises(Conflict) as exc:
        send(operator, caller, outlet)
    assert exc.value.code == "WORK_ITEM_DUPLICATE" and first.work_item_no in exc.value.message
    assert send(operator, caller, outlet, category="投诉建议").category == "投诉建议"  # another category
    assert send(operator, caller, f.make_outlet()).state == "open"  # another outlet
    work_item_cancel(actor=supervisor, work_item_no=first.work_item_no, reason="来电人不再需要")
    assert send(operator, caller, outlet).work_item_no != first.work_item_no


# ---------------------------------------------------------------- the outlet accepts and closes it


def test_the_target_outlet_accepts_and_closes_it(operator, caller, outlet, clerk_actor):
    clock.freeze(MONDAY)
    item = send(operator, caller, outlet)
    clock.advance(dt.timedelta(hours=1))
    accepted = work_item_accept(actor=clerk_actor, work_item_no=item.work_item_no)
    assert (accepted.state, accepted.accepted_by_id, accepted.accepted_by_name) == (
        "accepted", clerk_actor.staff_id, clerk_actor.name)
    assert accepted.accepted_at == MONDAY + dt.timedelta(hours=1)
    clock.advance(dt.timedelta(days=1))
    closed = work_item_close(actor=clerk_actor, work_item_no=item.work_item_no,
                             result_note=" 已电话联系，预约周三上午 ")
    row = WorkItem.objects.get(pk=item.pk)
    assert (row.state, row.result_note, row.closed_by_id) == (
        "closed", "已电话联系，预约周三上午", clerk_actor.staff_id)
    assert row.closed_at == MONDAY + dt.timedelta(days=1, hours=1) == closed.closed_at
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED", "WORK_ITEM_ACCEPTED", "WORK_ITEM_CLOSED"]
    event = AuditEvent.objects.get(event_type="WORK_ITEM_CLOSED")
    assert (event.before, event.after, event.data["on_time"]) == (
        {"state": "accepted"}, {"state": "closed"}, True)
    assert (event.actor_id, event.channel, event.outlet_id) == (clerk_actor.staff_id, "window", outlet.pk)
    assert "预约周三" not in str(event.data)


def test_a_late_close_is_recorded_as_not_on_time(operator, caller, outlet, clerk_actor):
    clock.freeze(MONDAY)
    item = send(operator, caller, outlet)
    work_item_accept(actor=clerk_actor, work_item_no=item.work_item_no)
    clock.freeze(MONDAY + dt.timedelta(days=4))
    work_item_close(actor=clerk_actor, work_item_no=item.work_item_no, result_note="已办结")
    assert AuditEvent.objects.get(event_type="WORK_ITEM_CLOSED").data["on_time"] is False


def test_a_clerk_of_another_outlet_is_refused_and_changes_nothing(operator, caller, outlet, clerk_actor):
    item = send(operator, caller, outlet)
    stranger = Actor.for_staff(f.make_staff("clerk", f.make_outlet()))
    with pytest.raises(Forbidden) as exc:
        work_item_accept(actor=stranger, work_item_no=item.work_item_no)
    assert exc.value.code == "OUTLET_MISMATCH"
    work_item_accept(actor=clerk_actor, work_item_no=item.work_item_no)
    with pytest.raises(Forbidden) as exc:
        work_item_close(actor=stranger, work_item_no=item.work_item_no, result_note="已办结")
    assert exc.value.code == "OUTLET_MISMATCH"
    with pytest.raises(NotFound):  # reads do not even disclose it
        work_item_phone_view(actor=stranger, work_item_no=item.work_item_no)
    with pytest.raises(NotFound):
        work_item_for_actor(stranger, item.work_item_no)
    assert WorkItem.objects.get(pk=item.pk).state == "accepted"
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED", "WORK_ITEM_ACCEPTED"]


def test_a_supervisor_accepts_and_closes_at_any_outlet(operator, caller, outlet, supervisor):
    item = send(operator, caller, outlet)
    work_item_accept(actor=supervisor, work_item_no=item.work_item_no)
    closed = work_item_close(actor=supervisor, work_item_no=item.work_item_no, result_note="主管已回访")
    assert closed.state == "closed"


@pytest.mark.parametrize("role", ["hotline", "reviewer", "auditor", "admin"])
def test_other_roles_neither_accept_nor_close(role, operator, caller, outlet):
    item = send(operator, caller, outlet)
    actor = operator if role == "hotline" else Actor.for_staff(f.make_staff(role))
    for call in (lambda: work_item_accept(actor=actor, work_item_no=item.work_item_no),
                 lambda: work_item_close(actor=actor, work_item_no=item.work_item_no, result_note="x"),
                 lambda: work_item_phone_view(actor=actor, work_item_no=item.work_item_no)):
        with pytest.raises(Forbidden) as exc:
            call()
        assert exc.value.code == "ACCESS_DENIED"
    assert WorkItem.objects.get(pk=item.pk).state == "open"


def test_closing_needs_a_result_and_cancelling_a_reason(operator, caller, outlet, clerk_actor):
    item = send(operator, caller, outlet)
    work_item_accept(actor=clerk_actor, work_item_no=item.work_item_no)
    for bad, code in (("  ", "WORK_ITEM_RESULT_REQUIRED"), ("长" * 501, "WORK_ITEM_RESULT_TOO_LONG")):
        with pytest.raises(InvalidInput) as exc:
            work_item_close(actor=clerk_actor, work_item_no=item.work_item_no, result_note=bad)
        assert exc.value.code == code
    with pytest.raises(InvalidInput) as exc:
        work_item_cancel(actor=operator, work_item_no=item.work_item_no, reason="")
    assert exc.value.code == "WORK_ITEM_CANCEL_REASON_REQUIRED"
    assert WorkItem.objects.get(pk=item.pk).state == "accepted"


def test_an_unknown_number_is_not_found(clerk_actor):
    for call in (lambda: work_item_accept(actor=clerk_actor, work_item_no="GD2026030200000000"),
                 lambda: work_item_close(actor=clerk_actor, work_item_no="\x00" * 40, result_note="x")):
        with pytest.raises(NotFound) as exc:
            call()
        assert exc.value.code == "WORK_ITEM_NOT_FOUND"


# ---------------------------------------------------------------- cancelling


def test_the_operator_who_sent_it_or_a_supervisor_cancels_it(operator, caller, outlet, supervisor,
                                                             clerk_actor):
    mine = send(operator, caller, outlet)
    cancelled = work_item_cancel(actor=operator, work_item_no=mine.work_item_no, reason="来电人已自行办理")
    assert (cancelled.state, cancelled.result_note, cancelled.closed_by_id) == (
        "cancelled", "来电人已自行办理", operator.staff_id)
    other_operator = Actor.for_staff(f.make_staff("hotline"))
    item = send(operator, caller, outlet)
    with pytest.raises(Forbidden) as exc:
        work_item_cancel(actor=other_operator, work_item_no=item.work_item_no, reason="误转")
    assert exc.value.code == "WORK_ITEM_NOT_CREATOR"
    with pytest.raises(Forbidden) as exc:
        work_item_cancel(actor=clerk_actor, work_item_no=item.work_item_no, reason="误转")
    assert exc.value.code == "ACCESS_DENIED"
    assert WorkItem.objects.get(pk=item.pk).state == "open"
    work_item_cancel(actor=supervisor, work_item_no=item.work_item_no, reason="重复转办")
    assert WorkItem.objects.get(pk=item.pk).state == "cancelled"
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED", "WORK_ITEM_CANCELLED"]


# ---------------------------------------------------------------- the state table, every pair

ALLOWED = sorted(WORK_ITEM_TRANSITIONS.items())
REFUSED = sorted((s, e) for s, e in itertools.product(S.values, E.values)
                 if (s, e) not in WORK_ITEM_TRANSITIONS)


def _in_state(operator, caller, state: str) -> WorkItem:
    item = send(operator, caller, f.make_outlet())
    WorkItem.objects.filter(pk=item.pk).update(state=state)
    return item


def _do(event: str, actor, no: str):
    if event == E.ACCEPT:
        return work_item_accept(actor=actor, work_item_no=no)
    if event == E.CLOSE:
        return work_item_close(actor=actor, work_item_no=no, result_note="已办结")
    return work_item_cancel(actor=actor, work_item_no=no, reason="来电人撤回")


def test_the_table_is_what_the_procedure_says():
    assert WORK_ITEM_TRANSITIONS == {("open", "accept"): "accepted", ("open", "cancel"): "cancelled",
                                     ("accepted", "close"): "closed", ("accepted", "cancel"): "cancelled"}
    assert len(ALLOWED) + len(REFUSED) == len(S.values) * len(E.values)


@pytest.mark.parametrize(("pair", "target"), ALLOWED, ids=[f"{s}-{e}" for (s, e), _ in ALLOWED])
def test_every_allowed_pair_moves_and_is_audited(operator, caller, supervisor, pair, target):
    state, event = pair
    item = _in_state(operator, caller, state)
    moved = _do(event, supervisor, item.work_item_no)
    assert moved.state == target == work_item_next(state, event) == WorkItem.objects.get(pk=item.pk).state
    event_row = AuditEvent.objects.filter(subject_id=item.work_item_no).order_by("-seq").first()
    assert event_row.event_type == AUDIT[event]
    assert (event_row.before, event_row.after) == ({"state": state}, {"state": target})


@pytest.mark.parametrize(("state", "event"), REFUSED, ids=[f"{s}-{e}" for s, e in REFUSED])
def test_every_other_pair_is_refused_and_changes_nothing(operator, caller, supervisor, state, event):
    item = _in_state(operator, caller, state)
    before = audit_types(item.work_item_no)
    with pytest.raises(Conflict) as exc:
        _do(event, supervisor, item.work_item_no)
    assert exc.value.code == "WORK_ITEM_STATE_CONFLICT" and work_item_next(state, event) is None
    assert WorkItem.objects.get(pk=item.pk).state == state and audit_types(item.work_item_no) == before


# ---------------------------------------------------------------- the callback number in full


def test_the_full_callback_number_is_shown_to_the_outlet_and_each_view_audited(operator, caller, outlet,
                                                                                clerk_actor):
    item = send(operator, caller, outlet)
    assert work_item_phone_view(actor=clerk_actor, work_item_no=item.work_item_no) == "13912345678"
    work_item_phone_view(actor=clerk_actor, work_item_no=item.work_item_no)
    events = AuditEvent.objects.filter(event_type="WORK_ITEM_PHONE_VIEWED")
    assert events.count() == 2 and events.first().data["masked"] == "139****5678"
    assert "13912345678" not in str(events.first().data)
    silent = send(operator, caller, outlet, category="投诉建议", contact_phone="")
    with pytest.raises(NotFound) as exc:
        work_item_phone_view(actor=clerk_actor, work_item_no=silent.work_item_no)
    assert exc.value.code == "WORK_ITEM_NO_PHONE"


# ---------------------------------------------------------------- reads


def test_lists_by_due_date_with_overdue_said_in_words_and_seen_by_whom_they_concern(
        operator, caller, outlet, clerk_actor, supervisor, adult):
    clock.freeze(MONDAY)
    old = send(operator, caller, outlet, category="投诉建议")
    clock.freeze(MONDAY + dt.timedelta(days=1))
    new = send(operator, caller, outlet)
    elsewhere = send(operator, caller, f.make_outlet(), category="补办材料")
    clock.freeze(MONDAY + dt.timedelta(days=3, hours=1))  # Thursday: the first is due by the end of today
    rows = work_items_list(actor=clerk_actor)
    assert [r["work_item_no"] for r in rows] == [old.work_item_no, new.work_item_no]
    assert rows[0]["urgency_label"] == "今日到期" and rows[1]["urgency_label"] == "未到期"
    clock.freeze(MONDAY + dt.timedelta(days=4))  # Friday: the first is overdue
    rows = work_items_list(actor=clerk_actor)
    assert rows[0]["overdue"] and rows[0]["urgency_label"] == "已超期" and not rows[1]["overdue"]
    assert rows[0]["caller_name"] == "张*" and rows[0]["caller_id_number"] == adult.masked_id_number
    assert rows[0]["contact_phone"] == "139****5678" and adult.id_number not in str(rows)
    assert {r["work_item_no"] for r in work_items_list(actor=supervisor)} == {
        old.work_item_no, new.work_item_no, elsewhere.work_item_no}
    assert [r["work_item_no"] for r in work_items_overdue()] == [old.work_item_no]
    assert work_items_overdue(outlet_id=elsewhere.outlet_id) == []
    assert work_items_waiting(outlet.pk) == {"pending": 2, "overdue": 1}
    assert work_items_list(actor=Actor.for_staff(f.make_staff("reviewer"))) == []
    assert work_items_list(actor=clerk_actor, tab="done") == []
    work_item_accept(actor=clerk_actor, work_item_no=old.work_item_no)
    work_item_close(actor=clerk_actor, work_item_no=old.work_item_no, result_note="已回复")
    done = work_items_list(actor=clerk_actor, tab="done")
    assert [r["work_item_no"] for r in done] == [old.work_item_no] and done[0]["on_time"] is False
    assert work_items_overdue() == []


def test_the_list_finds_a_callback_number(operator, caller, outlet, clerk_actor):
    item = send(operator, caller, outlet)
    send(operator, caller, outlet, category="投诉建议", contact_phone="023-63211234")
    found = work_items_list(actor=clerk_actor, phone="13912345678")
    assert [r["work_item_no"] for r in found] == [item.work_item_no]
    assert work_items_list(actor=clerk_actor, phone="13900000000") == []


def test_an_operator_sees_what_they_sent_and_the_items_of_the_caller_they_verified(
        operator, caller, outlet, adult, card):
    item = send(operator, caller, outlet)
    other = Actor.for_staff(f.make_staff("hotline"))
    with pytest.raises(NotFound):
        work_item_for_actor(other, item.work_item_no)
    assert work_items_of_caller(actor=other, caller=caller) == []  # not their verification
    theirs = caller_verify(actor=other, card_no=card.card_no, name=adult.name, id_number=adult.id_number)
    assert work_item_for_actor(other, item.work_item_no, caller=theirs).pk == item.pk
    rows = work_items_of_caller(actor=other, caller=theirs)
    assert [r["work_item_no"] for r in rows] == [item.work_item_no]
    assert work_item_for_actor(operator, item.work_item_no).pk == item.pk
