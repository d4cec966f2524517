"""On PostgreSQL the audit tables refuse UPDATE, DELETE and TRUNCATE, from any role, while the writers,
the sequencer and the verifier work as before; the sequencer's queue and lock stay writable."""

import importlib

import pytest
from django.db import ProgrammingError, connection, transaction

from sscard.audit.models import (
    APPEND_ONLY_MODELS,
    AccessLogEntry,
    AuditEvent,
    AuditPending,
    AuditTreeHead,
    AuditTreeNode,
)
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record, audit_record_many
from sscard.audit.verify import audit_verify
from sscard.staff.actors import Actor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ACTOR = Actor.system("test")
APPEND_ONLY_TABLES = [model._meta.db_table for model in APPEND_ONLY_MODELS]


def write(n: int):
    with transaction.atomic():
        audit_record_many(event_type="DEMO_DATA_LOADED", actor=ACTOR,
                          rows=[{"subject_type": "thing", "subject_id": i} for i in range(n)])


def refused(statement, *params):
    """Run ``statement`` in a savepoint; return the database's error message (None if it went through)."""
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, params)
    except ProgrammingError as exc:
        return str(exc)
    return None


def test_the_migration_guards_exactly_the_append_only_tables():
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT event_object_table FROM information_schema.triggers "
                    "WHERE action_statement LIKE %s", ["%sscard_audit_append_only%"])
        guarded = {row[0] for row in cur.fetchall()}
    migration = importlib.import_module("sscard.audit.migrations.0005_append_only_guard")
    assert guarded == set(APPEND_ONLY_TABLES) == set(migration.APPEND_ONLY) == {
        "audit_auditevent", "audit_auditleaf", "audit_audittreenode", "audit_audittreehead",
        "audit_accesslogentry"}


def test_update_delete_and_truncate_are_refused_even_for_a_superuser():
    write(300)  # > 256 leaves: the sequencer stores subtree nodes too
    audit_integrate()
    AccessLogEntry.objects.create(at="2026-01-01T00:00:00Z", operation="card.status_query",
                                  actor_kind="system", actor_name="t", actor_role="system", channel="api")
    assert AuditTreeNode.objects.exists()
    with connection.cursor() as cur:  # no deferred foreign-key checks pending: TRUNCATE reaches the trigger
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in APPEND_ONLY_TABLES:
        message = refused(f'UPDATE "{table}" SET "{_a_column(table)}" = "{_a_column(table)}"')
        assert message and "append-only" in message and "UPDATE" in message, table
        message = refused(f'DELETE FROM "{table}"')
        assert message and "append-only" in message and "DELETE" in message, table
        message = refused(f'TRUNCATE "{table}" CASCADE')
        assert message and "append-only" in message and "TRUNCATE" in message, table
    # the ORM's bulk paths (which skip the models' save/delete guards) are refused the same way
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=AuditEvent.objects.first().seq).update(data={"forged": True})
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AuditTreeHead.objects.all()._raw_delete(AuditTreeHead.objects.db)
    assert AuditEvent.objects.count() == 300 and AuditTreeHead.objects.count() == 1
    assert audit_verify()[0]


def _a_column(table):
    return {"audit_auditevent": "hash", "audit_auditleaf": "digest", "audit_audittreenode": "digest",
            "audit_audittreehead": "root", "audit_accesslogentry": "operation"}[table]


def test_the_writers_the_sequencer_and_the_verifier_still_work():
    write(5)
    with transaction.atomic():
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id="x")
    assert AuditPending.objects.count() == 6
    head = audit_integrate(chunk=4)  # two chunks: the queue rows are deleted, the lock row taken twice
    assert head.size == 6 and AuditPending.objects.count() == 0
    write(1)
    audit_integrate()
    ok, _, reason = audit_verify()
    assert ok, reason
    assert AuditTreeHead.objects.count() == 3


def test_the_queue_is_not_append_only_and_a_deleted_queue_row_is_found():
    write(2)
    stray = AuditEvent.objects.order_by("seq").last()
    AuditPending.objects.filter(event_id=stray.seq).delete()  # allowed: the sequencer does it
    ok, seq, reason = audit_verify()
    assert (ok, seq) == (False, stray.seq) and "插入" in reason


def test_the_application_role_cannot_lift_the_guard():
    """``session_replication_role`` (the harness's and a superuser's way past the triggers) is refused to
    a role without superuser rights."""
    role = f"sscard_t_{connection.settings_dict['NAME']}"[:60]
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{role}" NOLOGIN')
        cur.execute(f'SET ROLE "{role}"')
        try:
            with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
                cur.execute("SET session_replication_role = replica")
        finally:
            cur.execute("RESET ROLE")
