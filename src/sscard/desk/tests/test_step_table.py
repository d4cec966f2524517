"""Every pair of the request state table through the API: each allowed (state, event, target) moves and
is audited; every pair the table does not list is refused with 409 and changes nothing."""

import itertools

import pytest

from sscard.core import clock
from sscard.desk.choices import RequestEvent as E
from sscard.desk.choices import RequestStatus as S
from sscard.desk.models import ServiceRequest
from sscard.desk.rules import TRANSITIONS
from sscard.desk.services import AUDIT
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import snapshot

pytestmark = pytest.mark.django_db

HEAD = {S.PENDING_REVIEW: "review", S.AWAITING_VOUCHER: "voucher", S.AWAITING_SIGNATURE: "signature",
        S.AWAITING_FEE: "fee"}
STEP_OF = {status: step for step, status in [(v, k) for k, v in HEAD.items()]}
ENDPOINT = {
    E.APPROVE: ("approve", "reviewer"), E.REJECT: ("reject", "reviewer"),
    E.PRESENT_VOUCHER: ("present-voucher", "clerk"), E.RECORD_SIGNED_FORM: ("signed-form", "clerk"),
    E.SETTLE_FEE: ("settle-fee", "clerk"), E.FINISH_PRODUCTION: ("finish-production", "clerk"),
    E.DISPATCH: ("dispatch", "supervisor"), E.HAND_OVER: ("hand-over", "clerk"),
    E.DELIVER: ("deliver", "supervisor"), E.VOID: ("void", "supervisor"),
}
ALLOWED = sorted((s, e, t) for (s, e), targets in TRANSITIONS.items() for t in targets)
EVENTS = [e for e in E.values if e != E.SUBMIT]
REFUSED = sorted((s, e) for s, e in itertools.product(S.values, EVENTS) if (s, e) not in TRANSITIONS)


def _build(outlet, state, *, steps=(), channel="window", mode="none", delivery="counter", made=False):
    person = f.make_person(name="钱七")
    now = clock.now()
    req = ServiceRequest.objects.create(
        request_no=f"YW{ServiceRequest.objects.count() + 1:016d}", business="apply", channel=channel,
        applicant_role="self", catalogue_version="t", applicant=person, outlet=outlet, actor_name="t",
        actor_role="clerk", status=state, pending_steps=list(steps),
        materials={"applicant_doc": "id_card", "agent_doc": None}, production_mode=mode, delivery=delivery,
        pickup_outlet=outlet if delivery == "pickup" else None, fee_amount_fen=2000,
        voucher_no=f"PZ{person.pk:010d}", created_at=now, updated_at=now,
    )
    if made:
        req.new_card = f.make_card(person, state="made", origin_channel=channel)
        req.new_card.issued_at = None
        req.new_card.save()
        req.save()
    return req


def _body(req, event, target=None):
    return {
        E.APPROVE: {}, E.REJECT: {"reason": "材料不全"}, E.PRESENT_VOUCHER: {"voucher_no": req.voucher_no},
        E.RECORD_SIGNED_FORM: {"reference": "QZ-0001"}, E.SETTLE_FEE: {"method": "paid"},
        E.FINISH_PRODUCTION: ({"hand_over": True, "originals_checked": [{"party": "applicant", "doc_type": "id_card"}]}
                              if target == S.COMPLETED else {}),
        E.DISPATCH: {"tracking_no": "EMS0001CN"},
        E.HAND_OVER: {"originals_checked": [{"party": "applicant", "doc_type": "id_card"}]},
        E.DELIVER: None, E.VOID: {"reason": "本人撤回"},
    }[event]


def _setup_allowed(outlet, state, event, target):
    if event in (E.APPROVE, E.PRESENT_VOUCHER, E.RECORD_SIGNED_FORM, E.SETTLE_FEE):
        steps = [HEAD[state]] + ([STEP_OF[target]] if target in STEP_OF else [])
        outlet.issuance_status = "working" if target == S.COMPLETED else "device_failed"
        outlet.save()
        return _build(outlet, state, steps=steps)
    if event == E.FINISH_PRODUCTION:
        return _build(outlet, state, mode="deferred")
    if event == E.DISPATCH:
        return _build(outlet, state, channel="app", mode="central", delivery="post", made=state != S.IN_PRODUCTION)
    if event == E.HAND_OVER:
        return _build(outlet, state, channel="app", mode="central", delivery="pickup", made=True)
    if event == E.DELIVER:
        return _build(outlet, state, channel="app", mode="central", delivery="post", made=True)
    return _build(outlet, state, steps=[HEAD.get(state, "review")])  # reject, void


@pytest.fixture
def callers(outlet, clerk_api, reviewer_api, supervisor_api):
    return {"clerk": clerk_api, "reviewer": reviewer_api, "supervisor": supervisor_api}


@pytest.mark.parametrize(("state", "event", "target"), ALLOWED)
def test_allowed_pair_moves_and_is_audited(callers, outlet, state, event, target):
    req = _setup_allowed(outlet, state, event, target)
    path, who = ENDPOINT[event]
    resp = callers[who].post(f"/requests/{req.request_no}/{path}", _body(req, event, target))
    assert resp.status_code == 200, resp.content.decode()
    req.refresh_from_db()
    assert req.status == target
    assert audit_types(req.request_no)[-1] == AUDIT[event]
    if target == S.COMPLETED:
        assert req.completed_at is not None and req.new_card_id is not None


@pytest.mark.parametrize(("state", "event"), REFUSED)
def test_pair_outside_the_table_is_refused_and_changes_nothing(callers, outlet, state, event):
    made = state in (S.READY_FOR_PICKUP, S.IN_TRANSIT, S.COMPLETED)
    req = _build(outlet, state, steps=[HEAD[state]] if state in HEAD else [], mode="deferred", made=made,
                 delivery="post")
    before = snapshot(req)
    path, who = ENDPOINT[event]
    resp = callers[who].post(f"/requests/{req.request_no}/{path}", _body(req, event))
    assert resp.status_code == 409, resp.content.decode()
    assert resp.json()["code"] == "REQUEST_STATE_CONFLICT"
    assert snapshot(req) == before


def test_the_table_tests_cover_every_pair():
    assert {(s, e) for s, e, _ in ALLOWED} == set(TRANSITIONS)
    assert len(REFUSED) + len(TRANSITIONS) == len(S.values) * len(EVENTS)


def test_the_bulk_move_to_pickup_checks_each_request_and_audits_them_once(outlet):
    """``requests_production_finished`` (batch cards at their outlet) moves only requests the table lets
    move: in production -> ready for pick-up; a voided one stays voided."""
    from sscard.audit.models import AuditEvent
    from sscard.desk.services import requests_production_finished
    from sscard.staff.actors import Actor

    moving = _build(outlet, S.IN_PRODUCTION, mode="batch")
    voided = _build(outlet, S.VOIDED, mode="batch")
    before = AuditEvent.objects.count()
    moved = requests_production_finished(actor=Actor.system("test"), request_ids=[moving.pk, voided.pk])
    assert moved == [moving.request_no]
    assert ServiceRequest.objects.get(pk=moving.pk).status == S.READY_FOR_PICKUP
    assert ServiceRequest.objects.get(pk=voided.pk).status == S.VOIDED
    event = AuditEvent.objects.get(event_type="REQUESTS_PRODUCTION_FINISHED")
    assert AuditEvent.objects.count() == before + 1 and event.data["requests"] == [moving.request_no]
    assert requests_production_finished(actor=Actor.system("test"), request_ids=[moving.pk]) == []
