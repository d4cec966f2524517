"""``sscard.desk.services`` called directly: the step machine (operator commands and sweeps act as the
system) and the card states in which a made card is never handed over."""

import pytest

from sscard.core.errors import Conflict, Forbidden
from sscard.desk import services
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, req_of, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def app_request(citizen_api, adult, reviewer_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    return req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))


def test_system_actor_finishes_central_production(app_request):
    req = services.request_finish_production(actor=Actor.system("production_import"),
                                             request_no=app_request.request_no)
    req.refresh_from_db()
    assert req.status == "ready_for_pickup" and req.new_card.state == "made"
    assert audit_types(req.request_no)[-1] == "REQUEST_PRODUCTION_FINISHED"


def test_clerk_cannot_finish_central_production_and_state_is_rechecked(app_request, clerk):
    before = snapshot(app_request)
    with pytest.raises(Forbidden):
        services.request_finish_production(actor=Actor.for_staff(clerk), request_no=app_request.request_no)
    with pytest.raises(Conflict):
        services.request_deliver(actor=Actor.system(), request_no=app_request.request_no)
    assert snapshot(app_request) == before


def test_dispatch_from_production_makes_the_card_first(app_request):
    req = services.request_dispatch(actor=Actor.system(), request_no=app_request.request_no, tracking_no="EMS9")
    req.refresh_from_db()
    assert req.status == "in_transit" and req.new_card_id is not None
    assert audit_types(req.new_card.card_no) == ["CARD_MADE"]


def test_unissuable_states_are_the_lost_and_the_ended_ones():
    from sscard.desk.services import unissuable_card_states

    assert unissuable_card_states() == {"lost", "lost_temp", "cancelled", "replaced"}
