"""好差评: one rating per completed business, a reason for a bad one, and its 15-working-day follow-up."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sscard.desk.evaluation import evaluation_follow_up_close, evaluation_record
from sscard.desk.models import EvaluationFollowUp, ServiceEvaluation
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def test_a_good_rating_is_recorded_anonymously_with_the_business(completed_business):
    actor, req = completed_business
    evaluation = evaluation_record(actor=actor, request_no=req.request_no, level="5")
    assert (evaluation.level, evaluation.channel, evaluation.outlet_id, evaluation.served_by) == (
        5, "window", actor.outlet_id, req.actor_name)
    assert not EvaluationFollowUp.objects.exists()
    event = AuditEvent.objects.get(event_type="EVALUATION_RECORDED")
    assert event.subject_id == req.request_no and event.person_id is None


def test_a_bad_rating_needs_a_reason_and_opens_a_follow_up_due_in_15_working_days(completed_business):
    actor, req = completed_business
    with pytest.raises(InvalidInput) as exc:
        evaluation_record(actor=actor, request_no=req.request_no, level=2, reason="  ")
    assert exc.value.code == "EVALUATION_REASON_REQUIRED"
    assert not ServiceEvaluation.objects.exists()
    clock.freeze(dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.timezone.utc))  # Friday 10:00 in Beijing
    evaluation_record(actor=actor, request_no=req.request_no, level=1, reason="等候时间太长")
    follow_up = EvaluationFollowUp.objects.get()
    # 15 working days from Friday 4 December: 7-11, 14-18, 21-25 December (no holiday falls between)
    assert timezone.localtime(follow_up.due_at).date() == dt.date(2026, 12, 25)
    assert follow_up.status == "open"
    assert AuditEvent.objects.filter(event_type="FOLLOW_UP_OPENED", subject_id=req.request_no).exists()


def test_one_rating_per_business(completed_business):
    actor, req = completed_business
    evaluation_record(actor=actor, request_no=req.request_no, level=4)
    with pytest.raises(Conflict) as exc:
        evaluation_record(actor=actor, request_no=req.request_no, level=3)
    assert exc.value.code == "EVALUATION_EXISTS"


@pytest.mark.parametrize("level", [0, 6, "", None, "x"])
def test_a_level_outside_the_five_is_refused(completed_business, level):
    actor, req = completed_business
    with pytest.raises(InvalidInput):
        evaluation_record(actor=actor, request_no=req.request_no, level=level)


def test_another_outlet_cannot_rate_it(completed_business):
    _, req = completed_business
    other = Actor.for_staff(f.make_staff("clerk", f.make_outlet()))
    with pytest.raises(NotFound):
        evaluation_record(actor=other, request_no=req.request_no, level=5)


def test_the_supervisor_settles_a_follow_up_once_with_what_was_done(completed_business):
    actor, req = completed_business
    evaluation_record(actor=actor, request_no=req.request_no, level=2, reason="态度不好")
    follow_up = EvaluationFollowUp.objects.get()
    boss = Actor.for_staff(f.make_staff("supervisor"))
    with pytest.raises(InvalidInput):
        evaluation_follow_up_close(actor=boss, follow_up_id=follow_up.pk, resolution=" ")
    with pytest.raises(Forbidden):
        evaluation_follow_up_close(actor=actor, follow_up_id=follow_up.pk, resolution="已约谈")
    evaluation_follow_up_close(actor=boss, follow_up_id=follow_up.pk, resolution="已约谈经办人并回访群众")
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.resolution) == ("closed", "已约谈经办人并回访群众")
    assert AuditEvent.objects.get(event_type="FOLLOW_UP_CLOSED").data["on_time"] is True
    with pytest.raises(Conflict):
        evaluation_follow_up_close(actor=boss, follow_up_id=follow_up.pk, resolution="again")
