"""PostgreSQL restarts under load and the service recovers by itself, with nothing half-applied.

The test makes its OWN cluster (``sscard.testing.pg_cluster``: initdb into a temporary folder, a free port;
the shared server is never touched), migrates it, and runs gunicorn (two workers, production settings)
against it.  Two clients report the loss of 30 cards through the 12333 API, one card after another, each
request with its own Idempotency-Key and retried with that key until it is answered.  Part-way through,
the cluster is stopped as in a crash (``pg_ctl -m immediate``: every session cut) and started again.

Shown: requests answer 503 while the database is away (``core.unavailable``; ``/readyz`` says 503 too,
naming the database), then the same gunicorn workers (same process ids, never restarted) answer again
(``CONN_HEALTH_CHECKS``: a dropped connection is replaced before a request uses it); and every business
either fully happened or not at all: each card is lost exactly once, with exactly one business record, one
state change and the same audit events as a business done before the crash, and no business record without
its card change.
"""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from sscard.testing.environments import ROOT, production_env
from sscard.testing.object_store import free_port
from sscard.testing.pg_cluster import private_cluster

pytestmark = pytest.mark.postgres
CARDS = 30

SEED = """
import json
from sscard.testing import factories as f
outlet = f.make_outlet()
hotline = f.make_staff("hotline", outlet)
cards = []
for i in range(%d):
    person = f.make_person(id_number=f.id_number_for(f.adult_birth(), serial=100 + i), name="测试" + str(i))
    cards.append([f.make_card(person).card_no, person.id_number])
print("SEED " + json.dumps({"token": f.token_for(staff=hotline), "cards": cards}))
""" % CARDS

OUTCOME = """
import json
from collections import Counter
from sscard.audit.models import AuditEvent
from sscard.cards.models import Card, CardStateChange
from sscard.desk.models import ServiceRequest
out = {}
for card in Card.objects.all():
    requests = list(ServiceRequest.objects.filter(card=card).values_list("request_no", "status", "business"))
    subjects = [card.card_no] + [r[0] for r in requests]
    events = AuditEvent.objects.filter(subject_id__in=subjects).values_list("event_type", flat=True)
    changes = CardStateChange.objects.filter(card=card).values_list("event", "to_state")
    out[card.card_no] = {"state": card.state, "requests": requests, "changes": list(changes),
                         "events": sorted(events)}
orphans = ServiceRequest.objects.filter(card__isnull=True).count()
print("OUTCOME " + json.dumps({"cards": out, "orphan_requests": orphans,
                               "requests": ServiceRequest.objects.count()}))
"""


def _manage(env, *args, marker: str | None = None):
    res = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    if marker:
        line = next(x for x in res.stdout.splitlines() if x.startswith(marker + " "))
        return json.loads(line[len(marker) + 1:])
    return None


def _request(base, path, *, token=None, body=None, key=None, timeout=15):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError as exc:  # refused, reset, timed out
        return type(exc).__name__, b""


def _worker_pids(master: int) -> set[int]:
    children = open(f"/proc/{master}/task/{master}/children").read().split()
    return {int(pid) for pid in children}


@pytest.fixture
def service(tmp_path):
    """A private cluster, migrated and seeded, and gunicorn on it (production settings, two workers): yields
    (base url, seed, env, cluster, the gunicorn process, its log file)."""
    with private_cluster() as cluster:
        cluster.createdb("sscard")
        env = production_env(tmp_path, DATABASE_URL=cluster.url("sscard"), SSCARD_ALLOWED_HOSTS="127.0.0.1",
                             SSCARD_SSL_REDIRECT="0", SSCARD_DB_CONNECT_TIMEOUT="2")
        _manage(env, "migrate", "-v0")
        seed = _manage(env, "shell", "-c", SEED, marker="SEED")
        port = free_port()
        log = open(tmp_path / "gunicorn.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "sscard.config.wsgi:application",
                                 "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60"], cwd=ROOT, env=env,
                                stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while _request(base, "/readyz")[0] != 200:
                assert proc.poll() is None and time.time() < deadline, (tmp_path / "gunicorn.log").read_text()
                time.sleep(0.3)
            yield base, seed, env, cluster, proc, tmp_path / "gunicorn.log"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def test_the_service_recovers_from_a_database_restart_with_nothing_half_applied(service):
    base, seed, env, cluster, gunicorn, gunicorn_log = service
    token, cards = seed["token"], seed["cards"]
    workers_before = _worker_pids(gunicorn.pid)
    assert len(workers_before) == 2
    attempts: dict[str, list] = {}
    deadline = time.time() + 180

    def report_losses(my_cards):
        for card_no, id_number in my_cards:
            tries = attempts.setdefault(card_no, [])
            while time.time() < deadline:
                status, body = _request(base, "/api/v1/cards/loss/report", token=token, key=f"loss-{card_no}",
                                        body={"applicant": {"doc_type": "id_card", "number": id_number}})
                tries.append((time.time(), status))
                if status == 200:
                    break
                time.sleep(0.1)
            time.sleep(0.05)

    clients = [threading.Thread(target=report_losses, args=(cards[i::2],)) for i in (0, 1)]
    for client in clients:
        client.start()
    while sum(1 for t in attempts.values() if t and t[-1][1] == 200) < 6:  # some done before the crash
        time.sleep(0.05)
    crashed_at = time.time()
    cluster.stop("immediate")
    outage_ready = _request(base, "/readyz")
    time.sleep(2)
    cluster.start()
    restarted_at = time.time()
    for client in clients:
        client.join(timeout=200)
    assert not any(client.is_alive() for client in clients)

    # the outage was real: requests failed while the database was away, /readyz said so
    failed = [(at, s) for tries in attempts.values() for at, s in tries if s != 200]
    assert failed, "no request met the outage"
    assert {s for _, s in failed} == {503}, failed  # "retry later" (core.unavailable), never a 500
    assert outage_ready[0] == 503
    assert "database" in json.loads(outage_ready[1])["failed"]
    # and it recovered by itself: every loss answered 200, after the restart too, by the same workers
    assert all(tries[-1][1] == 200 for tries in attempts.values()), attempts
    assert any(at > restarted_at for tries in attempts.values() for at, s in tries if s == 200)
    assert _request(base, "/readyz")[0] == 200
    assert gunicorn.poll() is None and _worker_pids(gunicorn.pid) == workers_before
    assert crashed_at < restarted_at
    # the production log format held through it: every line the service wrote is one JSON object (the lines
    # starting with "[" are gunicorn's own)
    lines = [line for line in gunicorn_log.read_text().splitlines() if not line.startswith("[")]
    records = [json.loads(line) for line in lines]
    assert any(r["level"] == "ERROR" and "Service Unavailable" in r["message"] for r in records), lines[-5:]

    # nothing half-applied, nothing twice
    outcome = _manage(env, "shell", "-c", OUTCOME, marker="OUTCOME")
    assert outcome["orphan_requests"] == 0
    assert outcome["requests"] == CARDS
    reference = outcome["cards"][cards[0][0]]  # done before the crash
    assert reference["state"] == "lost_temp" and len(reference["requests"]) == 1, reference
    for card_no, _ in cards:
        got = outcome["cards"][card_no]
        assert got["state"] == "lost_temp", (card_no, got)
        assert [r[1:] for r in got["requests"]] == [["completed", "loss_report"]], (card_no, got)
        assert got["changes"] == reference["changes"], (card_no, got)
        assert got["events"] == reference["events"], (card_no, got)
