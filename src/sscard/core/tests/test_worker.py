"""``sscard.core.worker``: the supervised task worker takes back what its id left running, queues again a
task that failed only on a busy database (a bounded number of times), and restarts its loop after an
error instead of ending the process."""

import pytest
from django.db import OperationalError
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sscard.core import worker as w

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, not run at once


@task()
def busy_task() -> None:
    CALLS.append("busy")
    raise OperationalError("database is locked")


@task()
def broken_task() -> None:
    raise ValueError("not a lock")


def _worker(worker_id="w-1") -> w.SupervisedWorker:
    return w.SupervisedWorker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                              startup_delay=False, max_tasks=None, worker_id=worker_id,
                              excluded_queue_names=[])


def _claimed(task_obj, worker_id="w-1") -> DBTaskResult:
    row = DBTaskResult.objects.get(id=task_obj.enqueue().id)
    row.claim(worker_id)
    return row


def test_the_tasks_an_id_left_running_are_queued_again_and_no_other_s():
    mine, other = _claimed(broken_task, "w-1"), _claimed(broken_task, "w-2")
    assert w.tasks_recover("w-1") == 1
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, other.status) == (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    assert w.tasks_recover("w-1") == 0


def test_a_task_failed_on_a_busy_database_runs_again_up_to_the_limit():
    row = _claimed(busy_task)
    worker = _worker()
    worker.run_task(row)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY and row.finished_at is None
    for _ in range(w.MAX_ATTEMPTS - 1):
        row.claim("w-1")
        worker.run_task(row)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == w.MAX_ATTEMPTS


def test_a_task_failed_otherwise_stays_failed():
    row = _claimed(broken_task)
    _worker().run_task(row)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED


def test_the_loop_restarts_its_worker_after_an_error(monkeypatch):
    runs, naps = [], []

    def run(self):
        runs.append(self.worker_id)
        if len(runs) == 1:
            raise OperationalError("database is locked")
        if len(runs) == 2:
            raise RuntimeError("anything else")

    monkeypatch.setattr(w.SupervisedWorker, "run", run)
    monkeypatch.setattr(w.SupervisedWorker, "configure_signals", lambda self: None)
    assert w.supervise(worker_id="w-1", queue_names=["default"], interval=0, sleep=naps.append) == 2
    assert runs == ["w-1"] * 3 and naps == [1.0, 2.0]
    with pytest.raises(RuntimeError):
        runs.clear()
        w.supervise(worker_id="w-1", queue_names=["default"], interval=0, sleep=naps.append, max_restarts=0)
