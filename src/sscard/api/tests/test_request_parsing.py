"""What the API reads before a route: bodies Django cannot take, strict JSON and object bodies, text the
database can hold, and the access check before the body is parsed (``api.root``, ``api.parsing``,
``api.schemas.StrictIn``, ``api.auth.OperationFirst``).  Every refusal is the API's JSON error, with a
stable code, and changes nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

NO_BOUNDARY = "multipart/form-data"  # a multipart body whose Content-Type names no boundary


def _post(api, path, data, content_type="application/json", **extra):
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    return api.client.post(f"/api/v1{path}", data=data, content_type=content_type, headers=headers, **extra)


def _error(resp, status, code):
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == code and body["message"], body
    assert set(body) == {"code", "message", "rule", "details"}
    return body


# ---------------------------------------------------------------- the access check comes before the body


def test_a_citizen_is_refused_a_batch_before_its_unparsable_body_is_read(citizen_api):
    """The probe: a multipart POST with no boundary answered 500, and a citizen token was enough."""
    _error(_post(citizen_api, "/batches", b"--x\r\n", content_type=NO_BOUNDARY), 403, "ACCESS_DENIED")


def test_a_caller_who_may_not_approve_gets_403_whatever_the_body(citizen_api, clerk_api):
    for api in (citizen_api, clerk_api):
        for body in (b"[null, null]", b"not json", b'{"note": 5, "extra": 1}'):
            _error(_post(api, "/requests/YW2026000000000000/approve", body), 403, "ACCESS_DENIED")


def test_a_caller_who_may_submit_gets_the_apis_400_for_a_body_with_no_boundary(clerk_api):
    _error(_post(clerk_api, "/batches", b"--x\r\n", content_type=NO_BOUNDARY), 400, "BODY_UNPARSABLE")


def test_the_session_sign_ins_csrf_check_reading_a_bad_form_is_a_400_too(clerk):
    """The staff-session auth checks CSRF, which reads the form: a cookie-carrying anonymous caller."""
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = "x" * 32
    resp = client.post("/api/v1/cards/loss/report", data=b"--x\r\n", content_type=NO_BOUNDARY)
    _error(resp, 400, "BODY_UNPARSABLE")


def test_a_json_route_given_a_form_body_is_a_json_400(clerk_api):
    _error(_post(clerk_api, "/cards/loss/report", b"--x\r\n", content_type=NO_BOUNDARY), 400, "JSON_INVALID")


# ---------------------------------------------------------------- bodies are JSON objects of declared fields


@pytest.mark.parametrize("path", ["/cards/loss/report", "/cards/loss/withdraw", "/cards/status-query"])
@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "5", '"text"', "true"])
def test_a_body_that_is_not_an_object_is_refused_and_nothing_is_done(citizen_api, adult, path, body):
    """The probe: ``[null, null]`` was a loss report of the app user's card, carried out."""
    card = f.make_card(adult, state="active")
    events = AuditEvent.objects.count()
    out = _error(_post(citizen_api, path, body), 400, "INPUT_INVALID")
    assert out["details"]["fields"][0]["error"].startswith("须为 JSON 对象")
    card.refresh_from_db()
    assert card.state == "active"
    assert not ServiceRequest.objects.exists() and AuditEvent.objects.count() == events


def test_a_field_the_body_does_not_have_is_refused_by_name(citizen_api, adult):
    f.make_card(adult, state="active")
    resp = _post(citizen_api, "/cards/loss/report", json.dumps({"applicant_note": "x"}))
    out = _error(resp, 400, "INPUT_INVALID")
    assert "applicant_note" in out["message"]
    nested = {"applicant": {"doc_type": "id_card", "number": adult.id_number, "name": "x"}}
    out = _error(_post(citizen_api, "/cards/status-query", json.dumps(nested)), 400, "INPUT_INVALID")
    assert "applicant.name" in out["message"]
    assert Card.objects.get(person=adult).state == "active"


def test_the_documented_bodies_forbid_other_fields(clerk_api):
    spec = clerk_api.get("/openapi.json").json()
    loss = spec["paths"]["/api/v1/cards/loss/report"]["post"]["requestBody"]["content"]["application/json"]
    ref = loss["schema"]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][ref]["additionalProperties"] is False


def test_the_batch_metas_json_is_as_strict_as_a_body(clerk_api, employer):
    uscc, handler = employer[0].uscc, employer[1]
    meta = ('{"business": "batch_apply", "employer_uscc": "%s", "employer_uscc": "x", '
            '"handler": {"doc_type": "id_card", "number": "%s"}}' % (uscc, handler.id_number))
    files = {"workbook": SimpleUploadedFile("b.xlsx", b"PK"), "scans": SimpleUploadedFile("s.zip", b"PK")}
    auth = clerk_api._headers(None)
    resp = clerk_api.client.post("/api/v1/batches", data={"meta": meta, **files}, headers=auth)
    _error(resp, 400, "JSON_DUPLICATE_KEY")
    files = {"workbook": SimpleUploadedFile("b.xlsx", b"PK"), "scans": SimpleUploadedFile("s.zip", b"PK")}
    resp = clerk_api.client.post("/api/v1/batches", data={"meta": "[1]", **files}, headers=auth)
    _error(resp, 400, "META_INVALID")


# ---------------------------------------------------------------- strict JSON


@pytest.mark.parametrize("body, code", [
    (b'{"reason": "a", "reason": "b"}', "JSON_DUPLICATE_KEY"),
    (b'{"reason": NaN}', "JSON_INVALID"),
    (b'{"reason": Infinity}', "JSON_INVALID"),
    (b'{"reason": "\xff"}', "JSON_INVALID"),
    ("\ufeff{}".encode(), "JSON_INVALID"),
    (b"[" * 100_000, "JSON_INVALID"),
    (b'{"reason": "a\\u0000b"}', "TEXT_CHARACTER_INVALID"),
    (b'{"reason": "a\\ud800b"}', "TEXT_CHARACTER_INVALID"),
    (b'{"a\\u0000": 1}', "TEXT_CHARACTER_INVALID"),
    (b'{"x": [{"y": ["\\udfff"]}]}', "TEXT_CHARACTER_INVALID"),
])
def test_json_that_is_not_strict_json_or_holds_bad_text_is_refused(supervisor_api, body, code):
    _error(_post(supervisor_api, "/requests/YW2026000000000000/void", body), 400, code)


# ---------------------------------------------------------------- bad text in paths, queries and forms


def test_nul_in_a_path_or_a_query_is_refused_before_any_lookup(clerk_api, citizen_api):
    _error(clerk_api.client.get("/api/v1/requests/YW%00", headers=clerk_api._headers(None)), 400,
           "TEXT_CHARACTER_INVALID")
    _error(clerk_api.client.get("/api/v1/employers/9150%00", headers=clerk_api._headers(None)), 400,
           "TEXT_CHARACTER_INVALID")
    resp = citizen_api.client.get("/api/v1/applications/mine?limit=1%00", headers=citizen_api._headers(None))
    _error(resp, 400, "TEXT_CHARACTER_INVALID")


def test_nul_in_a_form_field_is_refused(clerk_api):
    files = {"workbook": SimpleUploadedFile("b.xlsx", b"PK"), "scans": SimpleUploadedFile("s.zip", b"PK")}
    resp = clerk_api.client.post("/api/v1/batches", data={"meta": "{\x00}", **files},
                                 headers=clerk_api._headers(None))
    _error(resp, 400, "TEXT_CHARACTER_INVALID")


# ---------------------------------------------------------------- sizes and counts, with DEBUG on and off


@pytest.mark.parametrize("debug", [True, False])
def test_a_body_too_large_is_a_json_413(clerk_api, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    resp = _post(clerk_api, "/cards/status-query", json.dumps({"x": "a" * 2000}))
    body = _error(resp, 413, "BODY_TOO_LARGE")
    assert body["details"]["limit_bytes"] == 1000


@pytest.mark.parametrize("debug", [True, False])
def test_too_many_fields_or_files_is_a_json_400(clerk_api, citizen_api, settings, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    fields = {f"f{i}": "x" for i in range(5)}
    resp = clerk_api.client.post("/api/v1/batches", data=fields, headers=clerk_api._headers(None))
    _error(resp, 400, "BODY_TOO_MANY_PARTS")
    files = {f"file{i}": SimpleUploadedFile(f"{i}.zip", b"PK") for i in range(3)}
    resp = clerk_api.client.post("/api/v1/batches", data=files, headers=clerk_api._headers(None))
    _error(resp, 400, "BODY_TOO_MANY_PARTS")
    resp = citizen_api.client.get("/api/v1/applications/mine?" + "&".join(f"q{i}=1" for i in range(5)),
                                  headers=citizen_api._headers(None))
    _error(resp, 400, "BODY_TOO_MANY_PARTS")


def test_a_body_too_large_with_an_idempotency_key_is_the_same_json_413(clerk_api, settings):
    """The Idempotency-Key middleware reads the body (to hash it) before any route does."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    resp = _post(clerk_api, "/cards/status-query", json.dumps({"x": "a" * 2000}), HTTP_IDEMPOTENCY_KEY="key-12345678")
    _error(resp, 413, "BODY_TOO_LARGE")
