"""Liveness and readiness for load balancers and orchestrators; not behind sign-in, no personal data.

``/healthz``: the process answers (no database, no storage): restart the process when it fails.
``/readyz``: the database answers a query, the file storage takes, returns and deletes a small object,
and the task queue's table can be read; 200 when all pass, 503 naming each one that failed (only the
exception's class, never its message, which may hold host names or paths).  Take the node out of
rotation while it fails; it comes back by itself (``CONN_HEALTH_CHECKS`` replaces a connection the
database dropped before a request uses it).
"""

import time
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def _storage() -> None:
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.probe", ContentFile(b"readyz"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"readyz":
                raise RuntimeError("read back differs")
    finally:
        default_storage.delete(name)


def _tasks() -> None:
    # the database backend's queue is a table: it must answer
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        list(DBTaskResult.objects.order_by().values_list("id", flat=True)[:1])
    # other backends (the tests' immediate one) run tasks in the process: nothing to reach


CHECKS = {"database": _database, "storage": _storage, "tasks": _tasks}


@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request):
    checks, failed = {}, []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # every failure is an answer here, never a 500
            checks[name] = {"ok": False, "error": type(exc).__name__}
            failed.append(name)
        else:
            checks[name] = {"ok": True}
        checks[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = {"status": "failing" if failed else "ok", "failed": failed, "checks": checks}
    return JsonResponse(body, status=503 if failed else 200)
