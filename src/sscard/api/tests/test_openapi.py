"""The OpenAPI document and the interactive docs are served."""

import pytest
from django.test import Client

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
