"""Window-only businesses (unlock, cancel, rollback), information change and status query through the API."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.cards import card_doc, id_doc, snapshot
from sscard.testing.desk import apply_body, fail_printer, reissue_body, req_of

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
EV = f.window_evidence


def _state(card):
    return Card.objects.get(pk=card.pk).state


# ------------------------------------------------------------------ unlock


def test_unlock_at_window_by_agent_returns_to_the_state_before_the_lock(clerk_api, adult):
    from django.db import transaction

    from sscard.cards.services import card_apply_event
    from sscard.staff.actors import Actor

    made = f.make_card(adult, state="made")
    with transaction.atomic():
        card_apply_event(card=made, event="lock", actor=Actor.system(), extra_fields={"pin_failures": 3})
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 1, 1))
    r = clerk_api.post("/cards/unlock", {"applicant": card_doc(made), "agent": id_doc(agent), "evidence": EV()})
    assert r.status_code == 200, r.json()
    row = Card.objects.get(pk=made.pk)
    assert (row.state, row.pin_failures) == ("made", 0)
    assert audit_types(subject_id=made.card_no)[-1] == "CARD_UNLOCKED"


def test_unlock_at_kiosk_is_refused(kiosk_api, adult):
    locked = f.make_card(adult, state="locked")
    before = snapshot(locked)
    r = kiosk_api.post("/cards/unlock", {"applicant": card_doc(locked)})
    assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    assert snapshot(locked) == before


def test_unlock_of_a_card_not_locked_is_refused(clerk_api, adult, card):
    before = snapshot(card)
    r = clerk_api.post("/cards/unlock", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 422 and r.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    assert snapshot(card) == before


# ------------------------------------------------------------------ cancel and rollback


def test_cancel_at_window_then_rollback_restores(clerk_api, adult, card):
    r = clerk_api.post("/cards/cancel", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 200, r.json()
    assert r.json()["card"]["aaz502"] == "9" and _state(card) == "cancelled"
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_CANCELLED"
    r = clerk_api.post("/cards/rollback", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 200, r.json()
    assert _state(card) == "active"
    event = AuditEvent.objects.filter(subject_id=card.card_no).order_by("-seq").first()
    assert event.event_type == "CARD_ROLLED_BACK" and event.data["undone_event"] == "cancel"


def test_cancel_in_the_app_is_refused(citizen_api, card):
    before = snapshot(card)
    r = citizen_api.post("/cards/cancel", {})
    assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    assert snapshot(card) == before


def test_rollback_at_kiosk_is_refused(kiosk_api, adult, card):
    before = snapshot(card)
    r = kiosk_api.post("/cards/rollback", {"applicant": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    assert snapshot(card) == before


def test_rollback_with_nothing_to_undo_is_refused(clerk_api, adult, card):
    before = snapshot(card)
    r = clerk_api.post("/cards/rollback", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 422 and r.json()["code"] == "ROLLBACK_NOTHING_TO_UNDO"
    assert snapshot(card) == before


def test_rollback_too_old_is_refused(clerk_api, adult, card):
    clock.freeze(T0)
    clerk_api.post("/cards/cancel", {"applicant": id_doc(adult), "evidence": EV()})
    clock.advance(dt.timedelta(days=31))
    before = snapshot(card)
    r = clerk_api.post("/cards/rollback", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 422 and r.json()["code"] == "ROLLBACK_TOO_OLD"
    assert snapshot(card) == before


def test_rollback_of_a_lock_is_not_reversible(clerk_api, adult):
    from django.db import transaction

    from sscard.cards.services import card_apply_event
    from sscard.staff.actors import Actor

    active = f.make_card(adult)
    with transaction.atomic():
        card_apply_event(card=active, event="lock", actor=Actor.system())
    before = snapshot(active)
    r = clerk_api.post("/cards/rollback", {"applicant": id_doc(adult), "evidence": EV()})
    assert r.status_code == 422 and r.json()["code"] == "ROLLBACK_NOT_REVERSIBLE"
    assert snapshot(active) == before


def test_cancel_is_refused_while_a_card_is_being_made_and_the_production_can_be_voided(
        clerk_api, outlet, adult, supervisor_api):
    f.make_card(adult, state="active")
    fail_printer(outlet)
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="damaged")))
    doc = {"doc_type": "id_card", "number": adult.id_number}
    resp = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 422 and resp.json()["code"] == "OPEN_REQUEST_EXISTS"
    assert req.request_no in resp.json()["message"]
    voided = req_of(supervisor_api.post(f"/requests/{req.request_no}/void", {"reason": "申请人改办注销"}))
    assert voided.status == "voided" and audit_types(req.request_no)[-1] == "REQUEST_VOIDED"
    resp = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()


def test_rollback_of_a_cancellation_is_refused_while_an_application_is_open(clerk_api, outlet, adult,
                                                                            supervisor_api):
    card = f.make_card(adult, state="active")
    doc = {"doc_type": "id_card", "number": adult.id_number}
    cancelled = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert cancelled.status_code == 200, cancelled.json()
    fail_printer(outlet)
    req = req_of(clerk_api.post("/applications", apply_body(number=adult.id_number, name=adult.name)))
    assert req.status == "in_production"
    events = AuditEvent.objects.count()
    resp = clerk_api.post("/cards/rollback", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 422 and resp.json()["code"] == "OPEN_REQUEST_EXISTS"
    assert req.request_no in resp.json()["message"] and adult.id_number not in resp.content.decode()
    card.refresh_from_db()
    assert card.state == "cancelled" and AuditEvent.objects.count() == events
    req_of(supervisor_api.post(f"/requests/{req.request_no}/void", {"reason": "申请人改办回退"}))
    resp = clerk_api.post("/cards/rollback", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()
    card.refresh_from_db()
    assert card.state == "active"


# ------------------------------------------------------------------ information change


def test_info_change_at_window_encrypts_and_masks_the_audit(clerk_api, adult, card):
    r = clerk_api.post("/cards/info-change", {"applicant": card_doc(card), "evidence": EV(),
                                              "changes": {"phone": "13912345678", "address": "重庆市江北区观音桥步行街8号"}})
    assert r.status_code == 200, r.json()
    person = Person.objects.get(pk=adult.pk)
    assert person.phone == "13912345678" and person.address == "重庆市江北区观音桥步行街8号"
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT phone, address FROM people_person WHERE id = %s", [adult.pk])
        raw_phone, raw_address = cur.fetchone()
    assert "13912345678" not in raw_phone and "观音桥" not in raw_address
    event = AuditEvent.objects.get(event_type="PERSON_INFO_CHANGED")
    assert event.before["phone"] == "138****8000" and event.after["phone"] == "139****5678"
    assert "观音桥" not in event.after["address"]


@pytest.mark.parametrize("field", ["name", "id_number", "birth_date"])
def test_info_change_of_key_information_is_refused_naming_the_field(field, clerk_api, adult, card):
    before = snapshot(card)
    r = clerk_api.post("/cards/info-change", {"applicant": id_doc(adult), "evidence": EV(),
                                              "changes": {field: "x", "phone": "13912345678"}})
    assert r.status_code == 422 and r.json()["code"] == f"KEY_INFO_{field.upper()}_NOT_CHANGEABLE"
    assert r.json()["details"]["field"] == field
    assert snapshot(card) == before and Person.objects.get(pk=adult.pk).phone == "13800138000"


def test_info_change_at_kiosk_and_by_agent_is_refused(kiosk_api, clerk_api, adult, card):
    before = snapshot(card)
    r = kiosk_api.post("/cards/info-change", {"applicant": id_doc(adult), "changes": {"phone": "13912345678"}})
    assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 1, 1))
    r = clerk_api.post("/cards/info-change", {"applicant": card_doc(card), "agent": id_doc(agent), "evidence": EV(),
                                              "changes": {"phone": "13912345678"}})
    assert r.status_code == 422 and r.json()["code"] == "ROLE_NOT_ALLOWED"
    assert snapshot(card) == before


def test_info_change_bad_phone_is_refused(clerk_api, adult, card):
    r = clerk_api.post("/cards/info-change", {"applicant": id_doc(adult), "changes": {"phone": "12345"}})
    assert r.status_code == 400 and r.json()["code"] == "INFO_PHONE_INVALID"


# ------------------------------------------------------------------ status query


def test_status_query_at_window_is_a_read_logged_in_the_access_log(clerk_api, clerk, adult, card, outlet):
    """规程·社保卡应用状态查询: the window reads the card or looks the person up, tells the result and returns
    the originals; nothing is processed or archived, so no business record and no audit event; the look is
    one access-log row (before: a completed ServiceRequest and a CARD_STATUS_QUERIED event)."""
    open_req = ServiceRequest.objects.create(
        request_no="YW-OPEN-1", business="reissue", channel="window", applicant_role="self",
        catalogue_version="x", applicant=adult, actor_name="c", actor_role="clerk", status="in_production",
        due_at=clock.now() + dt.timedelta(days=3), pickup_outlet=outlet, created_at=clock.now(),
        updated_at=clock.now())
    events = AuditEvent.objects.count()
    r = clerk_api.post("/cards/status-query", {"applicant": id_doc(adult)},
                       headers={"X-Request-ID": "rq-status-1"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["cards"][0] == {**body["cards"][0], "card_no": card.card_no, "state": "active", "aaz502": "1",
                                "state_label": "正常"}
    assert body["open_requests"][0]["request_no"] == open_req.request_no
    assert body["open_requests"][0]["pickup_outlet"] == outlet.name
    assert body["request"] is None
    assert list(ServiceRequest.objects.values_list("request_no", flat=True)) == [open_req.request_no]
    from sscard.archive.models import ArchiveItem

    assert not ArchiveItem.objects.exists()
    assert AuditEvent.objects.count() == events
    entry = AccessLogEntry.objects.get()
    assert (entry.operation, entry.actor_kind, entry.actor_id, entry.actor_role, entry.channel,
            entry.outlet_id, entry.person_id, entry.card_ids, entry.request_id) == (
        "card.status_query", "staff", clerk.pk, "clerk", "window", outlet.pk, adult.pk, [card.pk],
        "rq-status-1")


def test_status_query_by_card_number_and_of_a_person_without_a_card(clerk_api, adult, card):
    r = clerk_api.post("/cards/status-query", {"applicant": card_doc(card)})
    assert r.status_code == 200 and [c["card_no"] for c in r.json()["cards"]] == [card.card_no]
    newcomer = f.make_person(name="赵六", birth_date=dt.date(1991, 3, 3))
    r = clerk_api.post("/cards/status-query", {"applicant": id_doc(newcomer)})
    assert r.status_code == 200 and r.json()["cards"] == [] and r.json()["open_requests"] == []
    assert [e.person_id for e in AccessLogEntry.objects.order_by("id")] == [adult.pk, newcomer.pk]


def test_a_refused_status_query_shows_nothing_and_logs_nothing(clerk_api, citizen_api, adult, card):
    stranger = f.make_person(name="王五", birth_date=dt.date(1990, 2, 2))
    unknown = {"doc_type": "id_card", "number": "11010519491231002X"}
    r = clerk_api.post("/cards/status-query", {"applicant": unknown})
    assert r.status_code == 404 and r.json()["code"] == "PERSON_NOT_FOUND"
    r = clerk_api.post("/cards/status-query", {"applicant": id_doc(adult), "agent": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "AGENT_IS_APPLICANT"
    r = citizen_api.post("/cards/status-query", {"applicant": id_doc(stranger)})
    assert r.status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_a_window_status_query_takes_at_most_4_statements(clerk_api, adult, card, outlet,
                                                          django_assert_max_num_queries):
    """Token, the person with their cards, the open production requests, the access log."""
    f.make_card(adult, state="cancelled")  # an ended card as well: still one statement for the cards
    with django_assert_max_num_queries(4):
        r = clerk_api.post("/cards/status-query", {"applicant": id_doc(adult)})
    assert r.status_code == 200, r.json()


def test_an_agent_s_status_query_takes_one_statement_more(clerk_api, adult, card,
                                                          django_assert_max_num_queries):
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 5, 5))
    with django_assert_max_num_queries(5):
        r = clerk_api.post("/cards/status-query", {"applicant": id_doc(adult), "agent": id_doc(agent)})
    assert r.status_code == 200, r.json()


def test_a_citizen_s_status_query_takes_at_most_4_statements(citizen_api, adult, card,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        r = citizen_api.post("/cards/status-query", {})
    assert r.status_code == 200 and [c["card_no"] for c in r.json()["cards"]] == [card.card_no]
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_kind, entry.channel, entry.person_id) == ("citizen", "app", adult.pk)


def test_status_query_in_the_app_shows_own_cards_only(citizen_api, adult, card):
    other = f.make_person(name="王五", birth_date=dt.date(1990, 2, 2))
    f.make_card(other)
    r = citizen_api.post("/cards/status-query", {})
    assert r.status_code == 200
    assert [c["card_no"] for c in r.json()["cards"]] == [card.card_no]
    assert r.json()["request"] is None
    r = citizen_api.post("/cards/status-query", {"applicant": id_doc(other)})
    assert r.status_code == 403 and r.json()["code"] == "APPLICANT_NOT_ACCOUNT_HOLDER"


def test_status_query_by_phone_is_refused(hotline_api, adult, card):
    r = hotline_api.post("/cards/status-query", {"applicant": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"


# ------------------------------------------------------------------ access


PATHS = ["/cards/info-change", "/cards/pin/change", "/cards/pin/reset", "/cards/pin/verify", "/cards/unlock",
         "/cards/loss/report", "/cards/loss/withdraw", "/cards/status-query", "/cards/cancel", "/cards/rollback"]


@pytest.mark.parametrize("role", ["reviewer", "auditor", "supervisor", "admin"])
def test_back_office_roles_get_403(role, staff_api, adult, card):
    api = staff_api(role)
    before = snapshot(card)
    for path in PATHS:
        r = api.post(path, {"applicant": id_doc(adult)})
        assert r.status_code == 403 and r.json()["code"] == "ACCESS_DENIED", path
    assert snapshot(card) == before


def test_anonymous_gets_401():
    r = f.ApiClient().post("/cards/loss/report", {})
    assert r.status_code == 401
