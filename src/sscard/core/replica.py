"""Reads that may use a PostgreSQL replica, and the router that sends them there.

Only code that opts in reads from the replica (``with use_replica(): ...``): dashboards, the audit search
and reports, which can be a moment behind the primary.  Every write, every read inside a transaction and
every read outside the block goes to the primary, so a business never reads its own write from a replica
that has not caught up.  Without ``SSCARD_REPLICA_URL`` the block changes nothing.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_wanted: ContextVar[bool] = ContextVar("sscard_use_replica", default=False)


@contextmanager
def use_replica():
    token = _wanted.set(True)
    try:
        yield
    finally:
        _wanted.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _wanted.get() and replica_configured() and not connections["default"].in_atomic_block:
            return REPLICA
        return None  # the primary

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: objects from either relate

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
