"""The API docs and schema: public in development, behind sign-in when SSCARD_API_DOCS_PUBLIC is off."""

import pytest
from django.test import Client

from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs_private(settings):
    settings.SSCARD_API_DOCS_PUBLIC = False


def test_in_development_the_docs_and_schema_are_public():
    assert Client().get("/api/v1/openapi.json").status_code == 200
    assert Client().get("/api/v1/docs").status_code == 200


def test_without_sign_in_the_schema_answers_401_and_the_docs_page_sends_to_sign_in(docs_private):
    res = Client().get("/api/v1/openapi.json")
    assert res.status_code == 401
    assert res.json()["code"] == "NOT_AUTHENTICATED"
    assert b"paths" not in res.content
    res = Client().get("/api/v1/docs")
    assert res.status_code == 302
    assert res["Location"] == "/sign-in/?next=%2Fapi%2Fv1%2Fdocs"


def test_a_bearer_token_opens_the_schema(docs_private, citizen):
    token = f.token_for(citizen=citizen)
    res = Client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == 200
    assert res.json()["openapi"].startswith("3.1")


def test_a_revoked_or_unknown_token_does_not(docs_private):
    res = Client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer not-a-token"})
    assert res.status_code == 401


def test_a_staff_session_opens_the_docs_page(docs_private, clerk):
    client = Client()
    client.force_login(clerk.user)
    res = client.get("/api/v1/docs")
    assert res.status_code == 200
    assert b"openapi.json" in res.content
    assert client.get("/api/v1/openapi.json").status_code == 200
