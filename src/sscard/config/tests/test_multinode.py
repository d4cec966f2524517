"""A deployment on several nodes: two app processes (gunicorn) and two task workers on one PostgreSQL
database and one S3-compatible object store (moto's server), with a replica alias configured.

A window application with its images goes to node A; its images land in the bucket (not on A's disk);
node B serves the same request; tasks queued from a node are taken by the pool of workers, each task
by one worker once.
"""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from sscard.cards.tasks import lapse_temporary_losses
from sscard.testing import factories as f
from sscard.testing import object_store
from sscard.testing.desk import apply_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[4]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def _call(base, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + "/api/v1" + path, data=data, method="POST" if data else "GET",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_up(base, deadline):
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/sign-in/", timeout=5)
            return
        except OSError:  # not listening yet, or still importing
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start")


@pytest.fixture
def cluster(tmp_path, settings):
    """Starts the nodes; yields (node A url, node B url, S3 endpoint)."""
    with object_store.s3_server() as endpoint:
        settings.STORAGES = object_store.storages_setting(endpoint)  # this process reads as the nodes do
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued for the workers
        env = {**os.environ, **object_store.CREDENTIALS, "DATABASE_URL": _database_url(),
               "SSCARD_REPLICA_URL": _database_url(), "SSCARD_S3_BUCKET": "sscard-test",
               "SSCARD_S3_ENDPOINT_URL": endpoint, "SSCARD_VAR_DIR": str(tmp_path), "SSCARD_DEBUG": "1",
               "PYTHONPATH": str(ROOT / "src")}
        ports = [object_store.free_port(), object_store.free_port()]
        procs = [subprocess.Popen([sys.executable, "-m", "gunicorn", "sscard.config.wsgi:application", "-w", "1",
                                   "-b", f"127.0.0.1:{port}", "--timeout", "60"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"app-{port}.log", "w"))
                 for port in ports]
        procs += [subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                                    "--interval", "0.2", "--worker-id", f"worker-{i}"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker-{i}.log", "w"))
                  for i in (1, 2)]
        try:
            bases = [f"http://127.0.0.1:{port}" for port in ports]
            deadline = time.time() + 60
            for base in bases:
                _wait_up(base, deadline)
            yield bases[0], bases[1], endpoint
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()


def test_two_app_nodes_and_two_workers_share_the_database_and_the_object_store(cluster, tmp_path):
    node_a, node_b, endpoint = cluster
    outlet = f.make_outlet()
    token = f.token_for(staff=f.make_staff("clerk", outlet))
    reviewer = f.token_for(staff=f.make_staff("supervisor", outlet))

    status, body = _call(node_a, "/applications", token, apply_body())
    assert status == 201, body
    request_no = json.loads(body)["request_no"]

    keys = [o["Key"] for o in object_store.client(endpoint).list_objects_v2(Bucket="sscard-test").get("Contents", [])]
    assert len(keys) >= 3, keys  # photo, credential, scene, signature ...
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.jpg"))

    status, body = _call(node_b, f"/requests/{request_no}", reviewer)
    assert status == 200 and json.loads(body)["request_no"] == request_no, body

    results = [lapse_temporary_losses.enqueue() for _ in range(12)]
    deadline = time.time() + 60
    while time.time() < deadline:
        rows = list(DBTaskResult.objects.filter(id__in=[r.id for r in results]).values_list("status", "worker_ids"))
        if all(s == "SUCCESSFUL" for s, _ in rows):
            break
        time.sleep(0.2)
    assert [s for s, _ in rows] == ["SUCCESSFUL"] * 12, rows
    assert all(len(w) == 1 for _, w in rows)  # each task taken once
    assert {w[0] for _, w in rows} <= {"worker-1", "worker-2"}
