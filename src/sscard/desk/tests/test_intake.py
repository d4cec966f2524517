"""The one intake: everything missing among a business's materials is named in one refusal, for a
one-call business and for a production business alike, with every problem of a photo that breaks the photo
rule (on every channel, face included), and nothing is written."""

import pytest

from sscard.archive.models import ArchiveItem
from sscard.audit.models import AuditEvent
from sscard.desk.models import ServiceRequest
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.cards import id_doc
from sscard.testing.desk import app_body, apply_body, reissue_body, req_of

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


# ---------------------------------------------------------------- the photo rule

GREY = (90, 90, 110)


def test_a_window_photo_that_breaks_the_rule_is_refused_with_every_problem(clerk_api):
    body = apply_body()
    body["photo"] = f.b64_photo(faces=(), background=GREY, size=(300, 400))
    before = AuditEvent.objects.count()
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 400 and resp.json()["code"] == "PHOTO_SIZE"
    assert _missing(resp) == ["PHOTO_SIZE", "PHOTO_BACKGROUND", "PHOTO_FACE_MISSING"]
    message = resp.json()["message"]
    assert "照片尺寸应为 358×441 像素" in message and "照片背景应为白色" in message and "未检测到人脸" in message
    assert resp.json()["rule"]
    assert Person.objects.count() == 0 and ServiceRequest.objects.count() == 0
    assert ArchiveItem.objects.count() == 0 and AuditEvent.objects.count() == before


def test_a_bad_photo_and_missing_materials_come_together(clerk_api):
    body = apply_body(evidence={})
    body["photo"] = f.b64_photo(faces=((0.2, 0.45, 0.3),))
    resp = clerk_api.post("/applications", body)
    # The materials come first (the photo among them), then the evidence; the status is the first problem's.
    assert resp.status_code == 400 and resp.json()["code"] == "PHOTO_FACE_OFF_CENTRE"
    assert _missing(resp) == ["PHOTO_FACE_OFF_CENTRE", "EVIDENCE_CREDENTIAL_MISSING",
                              "EVIDENCE_SCENE_MISSING", "SIGNATURE_MISSING"]
    assert resp.json()["message"].startswith("材料不齐：照片中人脸未居中")
    hukou = apply_body(evidence={}, doc_type="hukou")  # an adult's hukou: a document not accepted, first
    hukou["photo"] = body["photo"]
    resp = clerk_api.post("/applications", hukou)
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert _missing(resp)[:2] == ["MATERIAL_APPLICANT_DOC_NOT_ACCEPTED", "PHOTO_FACE_OFF_CENTRE"]


@pytest.mark.parametrize("channel", ["window", "kiosk", "app"])
def test_every_channel_checks_the_face_whatever_the_batch_switch(channel, clerk_api, kiosk_api, citizen_api,
                                                                 adult, settings):
    settings.SSCARD_BATCH_PHOTO_FACES = False  # the employer-batch switch: not the window's, kiosk's or app's
    api, body = {"window": (clerk_api, apply_body()), "kiosk": (kiosk_api, apply_body(evidence={})),
                 "app": (citizen_api, app_body(adult))}[channel]
    body["photo"] = f.b64_photo(faces=((0.27, 0.42, 0.36), (0.73, 0.42, 0.36)))
    resp = api.post("/applications", body)
    assert resp.status_code == 400 and _missing(resp) == ["PHOTO_FACE_MULTIPLE"]
    body["photo"] = f.b64_photo()
    assert req_of(api.post("/applications", body)).materials["photo"] is True


def test_a_changed_photo_of_a_reissue_is_checked_too(clerk_api, adult):
    f.make_card(adult)
    body = reissue_body(adult, reason="info_change", photo_changed=True)
    body["photo"] = f.b64_photo(faces=((0.5, 0.5, 0.72),))
    resp = clerk_api.post("/cards/replace", body)
    assert resp.status_code == 400 and _missing(resp) == ["PHOTO_FACE_TOO_LARGE"]
    assert ServiceRequest.objects.count() == 0
