"""Bad input of any kind gets a 4xx with a clear message and never a 500, on every POST operation.

Walks the served OpenAPI document, so new endpoints are covered without editing this file.
"""

import json
import re

import pytest

from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

HOSTILE_BODIES = [
    b"",
    b"not json",
    b"[]",
    b"null",
    b'{"applicant": 5}',
    json.dumps({"applicant": {"doc_type": "id_card", "number": "x" * 5000}}).encode(),
    json.dumps({"applicant": {"doc_type": "id_card", "number": "110105194912310021"},
                "evidence": {"credential_images": ["%%%not-base64%%%"], "scene_image": "AAAA"}}).encode(),
    json.dumps({"applicant": {"doc_type": "id_card", "number": "11010519491231002X"}, "agent": "me"}).encode(),
    json.dumps({"a": {"b": {"c": {"d": [1, 2, {"e": None}]}}}}).encode(),
    "{\"name\": \"\\ud800\"}".encode(),
    b'{"reason": "' + b"\xff\xfe" + b'"}',
]


def test_unknown_document_type_with_a_real_number_is_a_clear_400(clerk_api, adult):
    f.make_card(adult)
    resp = clerk_api.post("/cards/status-query", {"applicant": {"doc_type": "bogus", "number": adult.id_number}})
    assert resp.status_code == 400
    assert resp.json()["code"] == "INPUT_INVALID" and "applicant.doc_type" in resp.json()["message"]
    assert "请求数据不正确".encode() in resp.content  # UTF-8 as written, not \u escapes


def _post_paths(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path, ops in spec["paths"].items():
        if "post" in ops:
            yield re.sub(r"\{[^}]+\}", "YW2026000000000000", path)


@pytest.fixture
def callers(outlet):
    person = f.make_person()
    f.make_card(person)
    return {
        "clerk": f.ApiClient(f.token_for(staff=f.make_staff("clerk", outlet))),
        "kiosk": f.ApiClient(f.token_for(kiosk=f.make_kiosk(outlet))),
        "citizen": f.ApiClient(f.token_for(citizen=f.make_citizen(person))),
        "anonymous": f.ApiClient(),
    }


def test_no_post_operation_answers_bad_input_with_a_server_error(callers):
    client = callers["clerk"].client
    paths = list(_post_paths(client))
    assert paths, "the OpenAPI document lists no POST operation"
    failures = []
    for path in paths:
        for who, api in callers.items():
            for body in HOSTILE_BODIES:
                headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
                resp = api.client.post(path, data=body, content_type="application/json", headers=headers)
                if resp.status_code >= 500 or resp.status_code < 400 and body in (b"", b"not json"):
                    failures.append((path, who, body[:40], resp.status_code))
                elif resp.status_code >= 400 and resp["Content-Type"].startswith("application/json"):
                    payload = resp.json()
                    if not payload.get("message") and not payload.get("detail"):
                        failures.append((path, who, body[:40], "no message"))
    assert failures == []
