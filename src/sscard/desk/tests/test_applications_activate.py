"""社保卡启用（激活） through the API: window (evidence only for app-applied cards) and app."""

import pytest

from sscard.archive.models import ArchiveItem
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import req_of

pytestmark = pytest.mark.django_db


def test_window_made_card_is_activated_without_new_archive(clerk_api, adult):
    card = f.make_card(adult, state="made")
    req = req_of(clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card", "number": adult.id_number}}))
    card.refresh_from_db()
    assert card.state == "active" and card.activated_at is not None
    assert req.business == "activate" and req.status == "completed" and req.archive_mode == ""
    assert ArchiveItem.objects.count() == 0
    assert audit_types(card.card_no) == ["CARD_ACTIVATED"]


def test_app_applied_card_needs_evidence_at_the_window(clerk_api, adult):
    card = f.make_card(adult, state="made", origin_channel="app")
    doc = {"doc_type": "ss_card", "number": card.card_no}
    resp = clerk_api.post("/cards/activate", {"applicant": doc})
    assert resp.status_code == 422 and resp.json()["code"] == "EVIDENCE_CREDENTIAL_MISSING"
    card.refresh_from_db()
    assert card.state == "made" and ServiceRequest.objects.count() == 0
    req = req_of(clerk_api.post("/cards/activate", {"applicant": doc, "evidence": f.window_evidence(signature=False)}))
    card.refresh_from_db()
    assert card.state == "active" and req.archive_mode == "digital"
    assert audit_types(req.request_no).count("EVIDENCE_ARCHIVED") == 2


def test_app_activation_of_own_card(citizen_api, adult):
    card = f.make_card(adult, state="made")
    req = req_of(citizen_api.post("/cards/activate", {}))
    card.refresh_from_db()
    assert card.state == "active" and req.channel == "app"


def test_lost_card_is_not_activated(clerk_api, adult):
    card = f.make_card(adult, state="lost")
    resp = clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card", "number": adult.id_number}})
    assert resp.status_code == 422 and resp.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    card.refresh_from_db()
    assert card.state == "lost" and audit_types(card.card_no) == []


def test_guardian_activates_a_childs_card_but_adults_by_agent_are_refused(clerk_api, adult, minor):
    card = f.make_card(minor, state="made")
    agent = {"doc_type": "id_card", "number": adult.id_number}
    req = req_of(clerk_api.post("/cards/activate", {"applicant": {"doc_type": "hukou", "number": minor.id_number},
                                                    "agent": agent}))
    card.refresh_from_db()
    assert card.state == "active" and req.applicant_role == "proxy_minor"
    other = f.make_person(name="赵六")
    f.make_card(other, state="made")
    resp = clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card", "number": other.id_number},
                                              "agent": agent})
    assert resp.status_code == 422 and resp.json()["code"] == "ROLE_NOT_ALLOWED"


def test_card_not_yet_handed_over_is_not_activated(clerk_api, adult):
    card = f.make_card(adult, state="made")
    card.issued_at = None
    card.save()
    resp = clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card", "number": adult.id_number}})
    assert resp.status_code == 422 and resp.json()["code"] == "CARD_NOT_HANDED_OVER"
