"""The embedded default (SQLite) under its own concurrency, for real: the demo's web server, the supervised
task worker, the audit sequencer and the due sweeps run as separate processes on one SQLite file while
HTTP clients write through the API (window applications, hotline losses, paper batches, status queries).

Asserted: no answer is a 5xx, the task worker is alive at the end (its supervisor restarted it when it
was killed half-way through a batch), and every batch submitted is validated.
"""

import datetime as dt
import os
import signal
import sqlite3
import sys
import threading
import time

import pytest

from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.desk import apply_body
from sscard.testing.embedded import EmbeddedSite

LOAD_SECONDS = float(os.environ.get("SSCARD_EMBEDDED_LOAD_SECONDS", "16"))
BATCH_ROWS = int(os.environ.get("SSCARD_EMBEDDED_BATCH_ROWS", "60"))
# run_due_sweeps with the clock 30 days ahead: the temporary losses reported now lapse (a sweep that writes).
FUTURE_SWEEPS = ("from django.core.management import call_command; from sscard.core import clock; "
                 "import datetime as dt; clock.freeze(clock.now() + dt.timedelta(days=30)); "
                 "call_command('run_due_sweeps')")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """One migrated database with the demo data for the module (migrating is most of the time)."""
    site = EmbeddedSite(tmp_path_factory.mktemp("embedded") / "var")
    site.prepare()
    return site


@pytest.fixture
def site(prepared):
    site = EmbeddedSite(prepared.var_dir, demo_out=prepared.demo_out)
    yield site
    site.stop()


def _sweeps_loop(site: EmbeddedSite, stop: threading.Event, errors: list) -> None:
    while not stop.is_set():
        for args in (["run_due_sweeps"], ["shell", "-c", FUTURE_SWEEPS]):
            try:
                site.manage(*args, timeout=120)
            except AssertionError as e:
                errors.append(str(e))


def test_server_worker_sequencer_and_sweeps_write_at_once_without_a_5xx(site):
    worker = os.environ.get("SSCARD_EMBEDDED_WORKER")  # e.g. "db_worker --no-reload", the worker unsupervised
    if worker:
        site.start("worker", *worker.split())
    else:
        site.start("worker", "bash", "scripts/task_worker.sh", "--interval", "0.2", manage=False)
    site.start("sequencer", "audit_sequence", "--loop", "--interval", "0.5")
    site.start("server", "runserver", f"127.0.0.1:{site.port}", "--noreload")
    site.wait_up()
    clerk, hotline = site.staff_token("clerk_yz"), site.staff_token("hotline")
    uscc, handler_no = site.demo_employer()

    answers: list[tuple[str, int, str]] = []
    batches: list[str] = []
    sweep_errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def note(what, ans):
        with lock:
            answers.append((what, ans.status, ans.text if ans.status >= 500 else ""))

    def window_client(k: int):
        i = 0
        while not stop.is_set():
            i += 1
            birth = dt.date(1960 + (k * 7 + i) % 40, 1 + i % 12, 1 + (k + i) % 28)
            number = f.id_number_for(birth)
            ans = site.call("POST", "/applications", apply_body(number=number, name=f"并发{k}号{i}"), clerk)
            note("apply", ans)
            doc = {"applicant": {"doc_type": "id_card", "number": number}}
            note("loss", site.call("POST", "/cards/loss/report", doc, hotline))
            note("status", site.call("POST", "/cards/status-query", {**doc, "evidence": f.window_evidence()},
                                     clerk))

    def batch_client():
        while not stop.is_set():
            rows = [bf.person_row(name=f"批量{j}") for j in range(BATCH_ROWS)]
            body = {"business": "batch_apply", "employer_uscc": uscc,
                    "handler": {"doc_type": "id_card", "number": handler_no}, "evidence": f.window_evidence(),
                    "rows": rows, "intro_letter_ref": "渝中区2026-介绍信-0001"}
            ans = site.call("POST", "/batches/paper", body, clerk)
            note("batch", ans)
            if ans.status == 202:
                with lock:
                    batches.append(ans.body["batch_no"])
            time.sleep(1)

    threads = [threading.Thread(target=window_client, args=(k,)) for k in range(3)]
    threads += [threading.Thread(target=batch_client),
                threading.Thread(target=_sweeps_loop, args=(site, stop, sweep_errors))]
    for t in threads:
        t.start()
    try:
        time.sleep(LOAD_SECONDS / 2)
        killed = _kill_worker_child(site)
        time.sleep(LOAD_SECONDS / 2)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=180)

    server_errors = [a for a in answers if a[1] >= 500]
    assert not server_errors, server_errors[:5]
    assert not sweep_errors, sweep_errors[:2]
    assert {a[0] for a in answers if a[1] < 300} >= {"apply", "loss", "status", "batch"}, answers[:20]
    assert batches
    # Every batch is validated, the one the worker was killed in too.
    end = time.monotonic() + 120
    pending = list(batches)
    while pending and time.monotonic() < end:
        pending = [b for b in pending if site.call("GET", f"/batches/{b}", token=clerk).body["status"]
                   != "validated"]
        time.sleep(0.5)
    assert not pending, (pending, site.log("worker")[-3000:])
    assert site.procs["worker"].poll() is None, site.log("worker")[-3000:]
    assert site.procs["sequencer"].poll() is None, site.log("sequencer")[-3000:]
    assert "database is locked" not in site.log("worker") + site.log("server") + site.log("sequencer")
    assert "restarting" in site.log("worker")
    if killed:  # the task the killed worker was running was taken back by its successor
        assert "interrupted task(s) queued again" in site.log("worker")


def _kill_worker_child(site: EmbeddedSite) -> bool:
    """Kill the worker process (not its supervisor) with SIGKILL while it runs a task, as a crash would;
    True when a task was running (left RUNNING, to be taken back by the restarted worker)."""
    if sys.platform != "linux":
        return False
    end, running = time.monotonic() + 10, False
    while not running and time.monotonic() < end:
        running = site.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                           "WHERE status = 'RUNNING'")[0][0] > 0
        time.sleep(0.02)
    sup = site.procs["worker"].pid
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                stat = open(f"/proc/{pid}/stat").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == sup:
                os.kill(int(pid), signal.SIGKILL)
    if not running:
        return False
    # The task seen running may have finished between that look and the kill: what counts is whether the
    # killed worker left one RUNNING, read at once (its successor starts only after the supervisor's 1 s
    # pause and Django's start-up, and only then takes it back).
    time.sleep(0.05)
    return site.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")[0][0] > 0


def test_the_worker_outlives_a_write_lock_held_past_its_busy_timeout(site):
    """The stock ``db_worker`` dies here: its claim's ``BEGIN EXCLUSIVE`` is outside its own retry, so a
    writer holding the lock past the busy timeout ends the process ("database is locked").  The
    supervised worker restarts its loop and then takes the next task."""
    site.extra_env["SSCARD_SQLITE_TIMEOUT"] = "1"
    worker = site.start("worker", "bash", "scripts/task_worker.sh", "--interval", "0.1", manage=False)
    end = time.monotonic() + 60
    while "Starting worker" not in site.log("worker") and time.monotonic() < end:
        time.sleep(0.2)
    db = sqlite3.connect(str(site.var_dir / "sscard.sqlite3"), isolation_level=None, timeout=30)
    db.execute("BEGIN IMMEDIATE")
    db.execute("UPDATE django_tasks_database_dbtaskresult SET priority = priority")
    time.sleep(4)  # four busy timeouts
    db.execute("ROLLBACK")
    db.close()
    site.manage("shell", "-c", "from sscard.cards.tasks import lapse_temporary_losses as t; "
                               "print(t.enqueue().id)")
    end = time.monotonic() + 60
    while time.monotonic() < end and site.sql(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")[0][0]:
        time.sleep(0.2)
    assert worker.poll() is None, site.log("worker")[-3000:]
    assert "stopped on a busy error (OperationalError): restarting" in site.log("worker")
    assert site.sql("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE "
                    "'%lapse_temporary_losses' ORDER BY enqueued_at DESC LIMIT 1") == [("SUCCESSFUL",)]
