"""/healthz (the process answers, no database) and /readyz (database, storage, task queue), open to probes."""

import pytest
from django.db import OperationalError, connections
from django.test import Client


def test_healthz_answers_without_touching_the_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        res = Client().get("/healthz")
    assert res.status_code == 200
    assert res.json() == {"status": "ok"}
    assert res["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_checks_the_database_the_storage_and_the_task_queue(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    res = Client().get("/readyz")
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert {name: check["ok"] for name, check in body["checks"].items()} == \
        {"database": True, "storage": True, "tasks": True}
    assert not list((tmp_path / "media" / "readyz").glob("*"))  # the storage probe cleaned up after itself


@pytest.mark.django_db
def test_readyz_answers_503_naming_the_database_when_it_fails(monkeypatch, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed")  # a message with a host in it

    monkeypatch.setattr(connections["default"], "cursor", refused)
    res = Client().get("/readyz")
    assert res.status_code == 503
    body = res.json()
    assert body["status"] == "failing"
    assert body["failed"] == ["database", "tasks"]  # the queue is a table of the same database
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["storage"]["ok"] is True
    assert b"10.0.0.5" not in res.content


@pytest.mark.django_db
def test_readyz_names_the_storage_when_files_cannot_be_written(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker)}}}
    res = Client().get("/readyz")
    assert res.status_code == 503
    assert res.json()["failed"] == ["storage"]


def test_the_probes_need_no_sign_in_and_only_answer_get(db):
    assert Client().post("/healthz").status_code == 405
    assert Client().post("/readyz").status_code == 405


def test_connections_are_health_checked_before_reuse(settings):
    assert all(db["CONN_HEALTH_CHECKS"] for db in settings.DATABASES.values())
