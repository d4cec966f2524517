"""The OpenAPI document and the interactive docs are served, and the document explains the API: Chinese
summaries and tags, the error responses, a description and an example for every input field."""

import copy
import datetime as dt
import json
import re

import pytest
from django.test import Client

from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def test_openapi_document_is_served_as_3_1():
    res = Client().get("/api/v1/openapi.json")
    assert res.status_code == 200
    doc = res.json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] == "重庆市第三代社保卡业务经办 API"
    assert "/api/v1/auth/staff-token" in doc["paths"]
    assert "/api/v1/auth/me" in doc["paths"]


def test_interactive_docs_page_is_served():
    res = Client().get("/api/v1/docs")
    assert res.status_code == 200
    assert b"openapi.json" in res.content


def test_bearer_scheme_is_declared():
    doc = Client().get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


# ---------------------------------------------------------------- the API explains itself

CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_STATUSES = ("400", "401", "403", "404", "409", "422")
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture(scope="module")
def doc(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def _operations(doc):
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield f"{method.upper()} {path}", op


def _resolve(doc, schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    return doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def _has_example(schema: dict) -> bool:
    return bool(schema.get("examples")) or schema.get("example") not in (None, "")


def _undocumented(doc, schema: dict, where: str, seen: set) -> list[str]:
    """Every property reachable from ``schema`` ($ref, anyOf/oneOf/allOf, array items, additionalProperties
    objects) that lacks a description or an example, named by its path."""
    missing = []
    ref = schema.get("$ref")
    if ref is not None:
        if ref in seen:
            return []
        seen = seen | {ref}
        schema = _resolve(doc, schema)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            missing += _undocumented(doc, sub, where, seen)
    if isinstance(schema.get("items"), dict):
        missing += _undocumented(doc, schema["items"], f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        missing += _undocumented(doc, schema["additionalProperties"], f"{where}{{}}", seen)
    for name, prop in schema.get("properties", {}).items():
        here = f"{where}.{name}"
        if not (prop.get("description") or "").strip() or not CJK.search(prop.get("description", "")):
            missing.append(f"{here}: no Chinese description")
        if not _has_example(prop):
            missing.append(f"{here}: no example")
        missing += _undocumented(doc, prop, here, seen)
    return missing


def test_every_operation_has_a_chinese_summary_and_only_chinese_tags(doc):
    bad = []
    for name, op in _operations(doc):
        if not CJK.search(op.get("summary", "")):
            bad.append(f"{name}: summary {op.get('summary')!r}")
        tags = op.get("tags") or []
        if not tags or any(not CJK.search(t) or re.search(r"[A-Za-z]", t) for t in tags):
            bad.append(f"{name}: tags {tags}")
    assert not bad, "\n".join(bad)


def test_every_operation_lists_the_error_responses_with_the_shared_schema(doc):
    bad = []
    for name, op in _operations(doc):
        for status in ERROR_STATUSES:
            resp = op["responses"].get(status)
            schema = (resp or {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != ERROR_REF:
                bad.append(f"{name}: {status} {resp}")
            elif not CJK.search(resp.get("description", "")):
                bad.append(f"{name}: {status} description {resp.get('description')!r}")
    assert not bad, "\n".join(bad)
    error = doc["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "rule", "details"}


def test_every_request_body_property_has_a_description_and_an_example(doc):
    missing, bodies = [], 0
    for name, op in _operations(doc):
        for media, content in op.get("requestBody", {}).get("content", {}).items():
            bodies += 1
            missing += _undocumented(doc, content["schema"], f"{name} {media}", frozenset())
    assert bodies > 30
    assert not missing, "\n".join(missing)


def test_every_parameter_has_a_description_and_an_example(doc):
    missing, count = [], 0
    for name, op in _operations(doc):
        for param in op.get("parameters", ()):
            count += 1
            if not CJK.search(param.get("description") or ""):
                missing.append(f"{name} {param['name']}: no Chinese description")
            if not _has_example(param):
                missing.append(f"{name} {param['name']}: no example")
    assert count > 20
    assert not missing, "\n".join(missing)


def test_the_walk_reaches_nested_objects_arrays_and_multipart_forms(doc):
    """The checks above would see a nested field losing its description (not only top-level ones)."""
    ops = dict(_operations(doc))
    apply_body = ops["POST /api/v1/applications"]["requestBody"]["content"]["application/json"]["schema"]
    assert _undocumented(doc, apply_body, "apply", frozenset()) == []
    broken = copy.deepcopy(doc)
    del broken["components"]["schemas"]["PersonIn"]["properties"]["address"]["description"]
    del broken["components"]["schemas"]["OriginalIn"]["properties"]["party"]["examples"]
    del broken["components"]["schemas"]["EvidenceIn"]["properties"]["scene_image"]["description"]
    assert _undocumented(broken, apply_body, "apply", frozenset()) == [
        "apply.applicant.address: no Chinese description",
        "apply.evidence.scene_image: no Chinese description"]
    hand_over = ops["POST /api/v1/requests/{no}/hand-over"]["requestBody"]["content"]["application/json"]
    hand_over = hand_over["schema"]
    assert _undocumented(broken, hand_over, "h", frozenset()) == ["h.originals_checked[].party: no example"]
    multipart = ops["POST /api/v1/batches"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(multipart["properties"]) == {"meta", "workbook", "scans"}
    multipart = copy.deepcopy(multipart)
    del multipart["properties"]["scans"]["description"]
    assert _undocumented(doc, multipart, "m", frozenset()) == ["m.scans: no Chinese description"]


def test_evidence_has_no_photo_and_the_card_photo_is_the_business_field(doc):
    schemas = doc["components"]["schemas"]
    assert "photo" not in schemas["EvidenceIn"]["properties"]
    assert "photo" in schemas["ApplyIn"]["properties"] and "photo" in schemas["ReissueIn"]["properties"]


def test_example_id_numbers_carry_valid_check_digits(doc):
    from sscard.people.idnumbers import check_digit

    found = set(re.findall(r"\b\d{17}[\dX]\b", json.dumps(doc, ensure_ascii=False)))
    assert len(found) >= 3
    assert all(check_digit(n[:17]) == n[17] for n in found), found


def _api_schemas():
    from ninja import Schema

    from sscard.api import applications, auth_router, batches, cards, employers, production, schemas

    for module in (applications, auth_router, batches, cards, employers, production, schemas):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                yield module, value


def test_the_examples_are_valid_input():
    """Each input schema accepts the object made of its fields' examples (the meta form its JSON example)."""
    from sscard.api.batches import BatchMetaIn, MetaForm
    from sscard.api.schemas import example_of

    inputs = [cls for _, cls in _api_schemas() if cls.__name__.endswith("In")]
    assert len(inputs) > 20
    for cls in inputs:
        cls.model_validate(example_of(cls))
    BatchMetaIn.model_validate_json(MetaForm.__metadata__[0].json_schema_extra["example"])


def test_input_schema_names_are_unique():
    """Two schema classes of one name would share one component: the document would show only one."""
    owners = {}
    for module, cls in _api_schemas():
        owners.setdefault(cls.__name__, set()).add(module.__name__)
    assert {n: m for n, m in owners.items() if len(m) > 1} == {}


# ---------------------------------------------------------------- what the API answers matches what it says

ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _datetimes(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _datetimes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _datetimes(v)
    elif isinstance(value, str) and ISO_DATETIME.match(value):
        yield value


def test_response_datetimes_are_beijing_time_with_the_offset(hotline_api, adult, card):
    from sscard.core import clock

    clock.freeze(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))  # 10:00 in Chongqing
    resp = hotline_api.post("/cards/loss/report", {"applicant": _id_doc(adult)})
    assert resp.status_code == 200, resp.json()
    body = resp.json()
    assert body["request"]["created_at"] == "2026-03-02T10:00:00+08:00"
    assert body["card"]["temp_loss_expires_at"] == "2026-03-17T10:00:00+08:00"  # 15 days of phone loss
    stamps = list(_datetimes(body))
    assert len(stamps) >= 4 and all(s.endswith("+08:00") for s in stamps), stamps


def test_the_encoder_converts_aware_datetimes_and_leaves_dates_and_naive_times():
    from sscard.api.root import LocalTimeJSONEncoder

    out = json.loads(json.dumps({"at": dt.datetime(2026, 11, 25, 16, 30, 5, 123456, tzinfo=dt.UTC),
                                 "day": dt.date(1990, 3, 7), "naive": dt.datetime(2026, 1, 1, 8, 0)},
                                cls=LocalTimeJSONEncoder))
    assert out == {"at": "2026-11-26T00:30:05.123+08:00", "day": "1990-03-07", "naive": "2026-01-01T08:00:00"}


def _id_doc(person) -> dict:
    return {"doc_type": "id_card", "number": person.id_number}


def test_every_error_handler_renders_the_documented_error_shape(hotline_api, clerk_api, kiosk_api, adult,
                                                                card):
    from sscard.api.schemas import ErrorOut

    loss = {"applicant": _id_doc(adult)}
    assert hotline_api.post("/cards/loss/report", loss).status_code == 200
    cases = {
        400: clerk_api.post("/cards/loss/report", {"applicant": {"doc_type": "bogus", "number": "1"}}),
        401: f.ApiClient().get("/auth/me"),
        403: kiosk_api.get("/employers/" + "91500103MA60B8K234"),
        404: clerk_api.get("/requests/YW2026112600000001"),
        409: hotline_api.post("/cards/loss/report", loss),
        422: clerk_api.post("/cards/rollback", {"applicant": _id_doc(adult)}),
    }
    cases["400 (unparsable body)"] = clerk_api.client.post("/api/v1/cards/unlock", data=b"not json",
                                                         content_type="application/json",
                                                         headers=clerk_api._headers(None))
    cases["400 (evidence.photo)"] = clerk_api.post("/cards/unlock", {"evidence": {"photo": f.b64_jpeg()}})
    for status, resp in cases.items():
        assert resp.status_code == int(str(status)[:3]), (status, resp.content)
        body = resp.json()
        assert set(body) == {"code", "message", "rule", "details"}, (status, body)
        ErrorOut.model_validate(body)
        assert re.search(r"[\u4e00-\u9fff]", body["message"]), (status, body)
    photo = cases["400 (evidence.photo)"].json()
    assert photo["code"] == "INPUT_INVALID" and photo["details"]["fields"][0]["field"] == "evidence"
