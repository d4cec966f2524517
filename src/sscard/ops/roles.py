"""The PostgreSQL role setup of a production database, as SQL for the DBA (``manage.py db_roles_sql``).

Two roles: the **owner** runs ``migrate`` (and the backups) and owns every table; the **application's
role** (web, task workers, sweeps, the sequencer) may read and write the business tables but only
SELECT and INSERT the append-only audit tables, never TRUNCATE anything, and is neither the owner (an
owner can drop the audit triggers) nor a superuser (a superuser can switch them off with
``session_replication_role``).  The grants are generated from the models, so a table added by a later
migration is covered when the script is run again after it.
"""

from django.db import connection

from sscard.audit.models import APPEND_ONLY_MODELS

SETUP = """\
-- 1. Once, as a superuser (passwords from your secrets store; neither role is a superuser):
--      CREATE ROLE {owner} LOGIN PASSWORD '...' NOSUPERUSER NOCREATEROLE;
--      CREATE ROLE {app} LOGIN PASSWORD '...' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
--      CREATE DATABASE {database} OWNER {owner};
--      REVOKE ALL ON DATABASE {database} FROM PUBLIC;
--      GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app};
--    Never GRANT SET ON PARAMETER session_replication_role to {app}: it would switch off the audit triggers.
--    migrate, backup_create and backup_restore run as {owner}; everything else as {app}
--    (SSCARD_DB_APP_ROLE={app} in the owner's environment lets the audit migration revoke from it too).
-- 2. After every migrate, as {owner} (or a superuser) in {database}: what follows.
"""


def roles_sql(*, app: str, owner: str = "sscard_owner", database: str = "sscard") -> str:
    quote = connection.ops.quote_name
    role = quote(app)
    audit = ", ".join(quote(model._meta.db_table) for model in APPEND_ONLY_MODELS)
    lines = [
        f"GRANT USAGE ON SCHEMA public TO {role};",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
        "-- the audit tables: append-only (the sequencer's queue and lock rows stay writable)",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM {role}, PUBLIC;",
    ]
    header = SETUP.format(app=role, owner=quote(owner), database=quote(database))
    return header + "\n".join(lines) + "\n"
