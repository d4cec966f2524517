"""Review claims: one reviewer at a time on an app application; only a supervisor releases or reassigns."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput
from sscard.desk.claims import request_review_claim, request_review_reassign, request_review_release
from sscard.desk.models import ServiceRequest
from sscard.desk.services import request_approve, request_reject, request_void
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import app_application, snapshot

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def case(db):
    clock.freeze(T0)
    return app_application()


def _actor(role):
    return Actor.for_staff(f.make_staff(role))


def _row(req) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=req.pk)


def test_opening_claims_the_case_for_the_configured_time_and_audits(case, settings):
    settings.SSCARD_REVIEW_CLAIM_MINUTES = 20
    reviewer = _actor("reviewer")
    request_review_claim(actor=reviewer, request_no=case.request_no)
    row = _row(case)
    assert (row.review_claimed_by_id, row.review_claimed_at, row.review_claim_expires_at) == (
        reviewer.staff_id, T0, T0 + dt.timedelta(minutes=20))
    assert audit_types(case.request_no)[-1] == "REQUEST_REVIEW_CLAIMED"


def test_a_second_reviewer_is_refused_with_the_holder_named_and_nothing_changes(case):
    first, second = _actor("reviewer"), _actor("reviewer")
    request_review_claim(actor=first, request_no=case.request_no)
    before = snapshot(case)
    with pytest.raises(Conflict) as exc:
        request_review_claim(actor=second, request_no=case.request_no)
    assert exc.value.code == "REVIEW_CLAIMED_BY_OTHER" and exc.value.status == 409
    assert first.name in exc.value.message and exc.value.details["holder"] == first.name
    for decide in (lambda: request_approve(actor=second, request_no=case.request_no),
                   lambda: request_reject(actor=second, request_no=case.request_no, reason="照片模糊", item="photo")):
        with pytest.raises(Conflict, match="正由"):
            decide()
    assert snapshot(case) == before and _row(case).review_claimed_by_id == first.staff_id


def test_the_holder_renews_and_the_claim_lapses_after_its_time(case):
    first, second = _actor("reviewer"), _actor("reviewer")
    request_review_claim(actor=first, request_no=case.request_no)
    clock.advance(dt.timedelta(minutes=20))
    request_review_claim(actor=first, request_no=case.request_no)  # renewed: 30 minutes from now
    clock.advance(dt.timedelta(minutes=29))
    with pytest.raises(Conflict):
        request_review_claim(actor=second, request_no=case.request_no)
    clock.advance(dt.timedelta(minutes=2))
    request_review_claim(actor=second, request_no=case.request_no)
    assert _row(case).review_claimed_by_id == second.staff_id
    with pytest.raises(Conflict):
        request_approve(actor=first, request_no=case.request_no)


def test_deciding_ends_the_claim_and_records_it(case):
    reviewer = _actor("reviewer")
    request_review_claim(actor=reviewer, request_no=case.request_no)
    request_approve(actor=reviewer, request_no=case.request_no)
    row = _row(case)
    assert row.status == "in_production" and row.review_claimed_by_id is None and row.review_claim_expires_at is None
    assert AuditEvent.objects.filter(event_type="REQUEST_APPROVED", subject_id=case.request_no).get().data == {
        "claimed": True}


def test_an_unclaimed_case_is_decided_under_the_row_lock(case):
    """The API decides without opening a claim first: nobody holds the case, so nobody is refused."""
    request_approve(actor=_actor("reviewer"), request_no=case.request_no)
    assert _row(case).status == "in_production"


def test_a_rejection_names_the_item_it_concerns(case):
    reviewer = _actor("reviewer")
    request_review_claim(actor=reviewer, request_no=case.request_no)
    request_reject(actor=reviewer, request_no=case.request_no, reason="照片背景不是白色", item="photo")
    row = _row(case)
    assert row.status == "rejected" and row.review_note == "照片背景不是白色"
    assert row.rejection == {"item": "photo", "item_label": "登记照", "reason": "照片背景不是白色"}
    event = AuditEvent.objects.get(event_type="REQUEST_REJECTED", subject_id=case.request_no)
    assert (event.data["item"], event.data["claimed"]) == ("photo", True)


@pytest.mark.parametrize(("reason", "item", "codes"), [
    ("", "photo", ["REJECT_REASON_REQUIRED"]),
    ("照片模糊", "", ["REJECT_ITEM_INVALID"]),
    ("照片模糊", "nose", ["REJECT_ITEM_INVALID"]),
    ("  ", "nose", ["REJECT_REASON_REQUIRED", "REJECT_ITEM_INVALID"]),
])
def test_a_rejection_without_a_reason_or_a_known_item_is_refused_and_changes_nothing(case, reason, item, codes):
    before = snapshot(case)
    with pytest.raises(InvalidInput) as exc:
        request_reject(actor=_actor("reviewer"), request_no=case.request_no, reason=reason, item=item)
    assert [m["code"] for m in exc.value.details["missing"]] == codes
    assert snapshot(case) == before


def test_only_a_supervisor_releases_or_reassigns(case):
    holder, other, supervisor = _actor("reviewer"), _actor("reviewer"), _actor("supervisor")
    request_review_claim(actor=holder, request_no=case.request_no)
    for who in (holder, other):
        with pytest.raises(Forbidden):
            request_review_release(actor=who, request_no=case.request_no)
        with pytest.raises(Forbidden):
            request_review_reassign(actor=who, request_no=case.request_no, to_staff_id=other.staff_id)
    request_review_reassign(actor=supervisor, request_no=case.request_no, to_staff_id=other.staff_id)
    assert _row(case).review_claimed_by_id == other.staff_id
    with pytest.raises(Conflict):
        request_review_claim(actor=holder, request_no=case.request_no)
    request_review_release(actor=supervisor, request_no=case.request_no)
    assert _row(case).review_claimed_by_id is None
    with pytest.raises(Conflict) as exc:
        request_review_release(actor=supervisor, request_no=case.request_no)
    assert exc.value.code == "REVIEW_NOT_CLAIMED"
    request_review_claim(actor=holder, request_no=case.request_no)
    assert audit_types(case.request_no)[-4:] == ["REQUEST_REVIEW_CLAIMED", "REQUEST_REVIEW_REASSIGNED",
                                                 "REQUEST_REVIEW_RELEASED", "REQUEST_REVIEW_CLAIMED"]


@pytest.mark.parametrize("to", ["", "abc", 0, "hotline", "inactive"])
def test_a_case_is_reassigned_only_to_an_active_reviewer(case, to):
    supervisor = _actor("supervisor")
    if to == "hotline":
        to = f.make_staff("hotline").pk
    elif to == "inactive":
        member = f.make_staff("reviewer")
        member.user.is_active = False
        member.user.save()
        to = member.pk
    before = snapshot(case)
    with pytest.raises(InvalidInput) as exc:
        request_review_reassign(actor=supervisor, request_no=case.request_no, to_staff_id=to)
    assert exc.value.code == "REVIEW_ASSIGNEE_INVALID" and snapshot(case) == before


def test_a_case_no_longer_waiting_cannot_be_claimed_and_a_void_ends_the_claim(case):
    reviewer = _actor("reviewer")
    request_review_claim(actor=reviewer, request_no=case.request_no)
    request_void(actor=_actor("supervisor"), request_no=case.request_no, reason="申请人撤回")
    assert _row(case).review_claimed_by_id is None
    with pytest.raises(Conflict) as exc:
        request_review_claim(actor=reviewer, request_no=case.request_no)
    assert exc.value.code == "REQUEST_STATE_CONFLICT"


def test_other_roles_cannot_claim(case):
    for role in ("clerk", "hotline", "auditor"):
        actor = Actor.for_staff(f.make_staff(role, f.make_outlet() if role == "clerk" else None))
        with pytest.raises(Forbidden):
            request_review_claim(actor=actor, request_no=case.request_no)
