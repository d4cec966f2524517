"""The one intake: everything missing among a business's materials is named in one refusal, for a
one-call business and for a production business alike, and nothing is written."""

import pytest

from sscard.audit.models import AuditEvent
from sscard.desk.models import ServiceRequest
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.cards import id_doc
from sscard.testing.desk import apply_body

pytestmark = pytest.mark.django_db


def _missing(resp) -> list[str]:
    return [m["code"] for m in resp.json()["details"]["missing"]]


def test_a_window_loss_report_names_every_missing_image_at_once(clerk_api, adult, card):
    before = AuditEvent.objects.count()
    resp = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert resp.status_code == 422
    assert _missing(resp) == ["EVIDENCE_CREDENTIAL_MISSING", "EVIDENCE_SCENE_MISSING"]
    assert resp.json()["code"] == "EVIDENCE_CREDENTIAL_MISSING"  # the first problem's code, as before
    assert "缺少凭证影像" in resp.json()["message"] and "缺少办理场景影像" in resp.json()["message"]
    assert AuditEvent.objects.count() == before and ServiceRequest.objects.count() == 0


def test_an_application_names_the_photo_and_every_image_at_once(clerk_api):
    body = apply_body(photo=False, evidence={})
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 422
    assert _missing(resp) == ["MATERIAL_PHOTO_MISSING", "EVIDENCE_CREDENTIAL_MISSING", "EVIDENCE_SCENE_MISSING",
                              "SIGNATURE_MISSING"]
    assert resp.json()["rule"]  # the refusal cites the catalogue
    assert Person.objects.count() == 0 and ServiceRequest.objects.count() == 0


def test_a_document_not_accepted_and_missing_evidence_come_together(clerk_api, adult, card):
    """解锁 by an agent: the holder's card itself is the accepted document, an ID card is not."""
    agent = f.make_person(name="王五", id_number=f.id_number_for(f.adult_birth()))
    resp = clerk_api.post("/cards/unlock", {"applicant": id_doc(adult), "agent": id_doc(agent)})
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert _missing(resp) == ["MATERIAL_APPLICANT_DOC_NOT_ACCEPTED", "EVIDENCE_CREDENTIAL_MISSING",
                              "EVIDENCE_SCENE_MISSING"]
    assert resp.json()["details"]["accepted"] == ["ss_card"]


def test_a_single_problem_keeps_its_own_code_and_lists_itself(clerk_api, adult, card):
    evidence = f.window_evidence()
    evidence.pop("scene_image")
    resp = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult), "evidence": evidence})
    assert resp.status_code == 422 and resp.json()["code"] == "EVIDENCE_SCENE_MISSING"
    assert _missing(resp) == ["EVIDENCE_SCENE_MISSING"]
