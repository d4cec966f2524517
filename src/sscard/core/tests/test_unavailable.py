"""While the database is away a request answers 503 with Retry-After and the API's error body, not 500."""

import pytest
from django.db import OperationalError
from django.test import Client

from sscard.api.auth import TokenAuth
from sscard.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


def _away(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def _assert_unavailable(res):
    assert res.status_code == 503
    assert res["Retry-After"] == "5"
    assert res.json()["code"] == "SERVICE_UNAVAILABLE"
    assert "server closed" not in res.content.decode()


def test_a_view_that_loses_the_database_answers_503(monkeypatch, clerk_api):
    monkeypatch.setattr(TokenAuth, "authenticate", _away)
    clerk_api.client.raise_request_exception = False
    _assert_unavailable(clerk_api.get("/auth/me"))


def test_a_middleware_that_loses_the_database_answers_503_too(monkeypatch, clerk_api):
    # the Idempotency-Key insert is the first write of a POST, before any view runs
    monkeypatch.setattr(IdempotencyRecord.objects, "create", _away)
    clerk_api.client.raise_request_exception = False
    res = clerk_api.post("/cards/loss/report", {"applicant": {"doc_type": "id_card", "number": "x"}},
                         headers={"Idempotency-Key": "retry-me-0001"})
    _assert_unavailable(res)
    assert not IdempotencyRecord.objects.exists()


def test_any_other_error_stays_a_500(monkeypatch, clerk_api):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(TokenAuth, "authenticate", broken)
    client = Client(raise_request_exception=False)
    res = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer x"})
    assert res.status_code == 500
