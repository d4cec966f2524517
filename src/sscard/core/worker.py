"""The task worker that outlives its errors: django-tasks-db's ``Worker`` under a supervising loop.

``manage.py run_task_worker`` runs it.  One worker id per supervised slot (``--worker-id``, one process at
a time holds it), which lets a (re)start take back what that id left half-way:

* ``tasks_recover(worker_id)`` puts the tasks still RUNNING under this id back to READY (the process that
  ran them is gone: killed, crashed, or the supervisor is starting it again), so a batch left half-way is
  picked up again at once instead of after ``run_due_sweeps``' stall delay;
* a task that failed only because the database was busy ("database is locked" on SQLite, a lock timeout)
  is put back to READY, up to ``MAX_ATTEMPTS`` runs.  Safe because every task of the project is
  idempotent (``batches.tasks``: a re-run stores only what is missing);
* any other error of the worker loop itself (the database gone, a lock wait that timed out before a task
  was claimed) ends that ``Worker``; the loop closes the connections, waits (1 s doubling to 30 s) and
  starts a new one.  A process killed outright is restarted by ``scripts/task_worker.sh``.
"""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, close_old_connections, connections, transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import is_locked_database_exception

try:  # django-tasks 0.12 keeps the status in its base module; Django 6's own tasks framework elsewhere
    from django_tasks.base import TaskResultStatus
except ImportError:  # pragma: no cover
    from django.tasks import TaskResultStatus

logger = logging.getLogger("sscard.worker")

MAX_ATTEMPTS = 5
_BUSY_CLASSES = ("django.db.utils.OperationalError", "sqlite3.OperationalError")


def tasks_recover(worker_id: str) -> int:
    """Put back to READY the tasks this worker id left RUNNING; returns how many."""
    with transaction.atomic():
        running = [t for t in DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
                   if t.worker_ids and t.worker_ids[-1] == worker_id]
        for t in running:
            t.status = TaskResultStatus.READY
            t.save(update_fields=["status"])
    return len(running)


def _busy_failure(db_task: DBTaskResult) -> bool:
    return (db_task.status == TaskResultStatus.FAILED and db_task.exception_class_path in _BUSY_CLASSES
            and ("is locked" in db_task.traceback or "lock timeout" in db_task.traceback.lower()))


class SupervisedWorker(Worker):
    """django-tasks-db's worker, with a task that failed on a busy database put back to READY."""

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if _busy_failure(db_task_result) and len(db_task_result.worker_ids) < MAX_ATTEMPTS:
            db_task_result.status = TaskResultStatus.READY
            db_task_result.finished_at = None
            db_task_result.save(update_fields=["status", "finished_at"])
            logger.warning("task %s failed on a busy database: queued again (attempt %d of %d)",
                           db_task_result.id, len(db_task_result.worker_ids), MAX_ATTEMPTS)


def supervise(*, worker_id: str, queue_names: list[str], interval: float, max_restarts: int | None = None,
              sleep=time.sleep) -> int:
    """Run workers one after another until one stops cleanly (a signal); returns the restarts made."""
    restarts, backoff = 0, 1.0
    while True:
        started = time.monotonic()
        try:
            close_old_connections()
            recovered = tasks_recover(worker_id)
            if recovered:
                logger.warning("worker %s: %d interrupted task(s) queued again", worker_id, recovered)
            worker = SupervisedWorker(queue_names=queue_names, interval=interval, batch=False,
                                      backend_name="default", startup_delay=False, max_tasks=None,
                                      worker_id=worker_id, excluded_queue_names=[])
            worker.configure_signals()
            worker.run()
            return restarts  # stopped by SIGTERM / SIGINT
        except OperationalError as exc:
            kind = "busy" if is_locked_database_exception(exc) else "database"
            logger.warning("worker %s stopped on a %s error (%s): restarting", worker_id, kind,
                           type(exc).__name__)
        except Exception:
            logger.exception("worker %s stopped on an error: restarting", worker_id)
        finally:
            connections.close_all()
        restarts += 1
        if max_restarts is not None and restarts > max_restarts:
            raise RuntimeError(f"worker {worker_id}: more than {max_restarts} restarts")
        if time.monotonic() - started > 60:
            backoff = 1.0
        sleep(backoff)
        backoff = min(backoff * 2, 30.0)
