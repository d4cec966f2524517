"""On PostgreSQL the audit tables refuse UPDATE, DELETE and TRUNCATE (issue #11, item 7).

A trigger on each append-only table raises for every UPDATE or DELETE of a row and for a TRUNCATE, whoever
runs it (the owner and a superuser too): a write the application's role is not granted is refused by the
privileges, and one it is granted by mistake by the trigger.  UPDATE, DELETE and TRUNCATE are also revoked
from PUBLIC and, when ``SSCARD_DB_APP_ROLE`` names it, from the application's role (see
``manage.py db_roles_sql`` for the whole role setup, docs/OPERATIONS.md).

Not append-only: ``audit_auditpending`` (the sequencer's queue: it deletes what it integrates; a row
deleted without integration leaves its event outside the tree, which the verifier reports) and
``audit_auditsequencerlock`` (the sequencer's lock row, ``SELECT ... FOR UPDATE``).

The only way past the triggers short of dropping them (the tables' owner can) is
``session_replication_role = replica``, which only a superuser may set: the test harness does so for the
flush between transactional tests (``sscard.testing.fixtures.audit``), never the application.

SQLite (the embedded default): nothing here.  Whoever can write its file can do anything to it, and the
test harness empties tables there with DELETE; the models' own guards refuse ORM updates and deletes, and
the signed tree heads (with the heads file) detect a rewrite.
"""

from django.conf import settings
from django.db import migrations

APPEND_ONLY = ("audit_auditevent", "audit_auditleaf", "audit_audittreenode", "audit_audittreehead",
               "audit_accesslogentry")

FUNCTION = """
CREATE OR REPLACE FUNCTION sscard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sscard: % on % refused: the audit tables are append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'audit rows are never changed or removed; see docs/OPERATIONS.md (audit tables)';
END
$$
"""


def _role(connection):
    role = getattr(settings, "SSCARD_DB_APP_ROLE", "")
    if not role:
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return role if cur.fetchone() else None


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    quote = conn.ops.quote_name
    schema_editor.execute(FUNCTION, params=None)
    role = _role(conn)
    for table in APPEND_ONLY:
        schema_editor.execute(f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {quote(table)} "
                              "FOR EACH ROW EXECUTE FUNCTION sscard_audit_append_only()")
        schema_editor.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {quote(table)} "
                              "FOR EACH STATEMENT EXECUTE FUNCTION sscard_audit_append_only()")
        schema_editor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM PUBLIC")
        if role:
            schema_editor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {quote(table)} FROM {quote(role)}")


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor != "postgresql":
        return
    quote = conn.ops.quote_name
    for table in APPEND_ONLY:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {quote(table)}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {quote(table)}")
    schema_editor.execute("DROP FUNCTION IF EXISTS sscard_audit_append_only()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_access_log")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
