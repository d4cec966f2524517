"""A consistent copy of the database and what the manifest says of it, and putting a copy back.

PostgreSQL: one REPEATABLE READ, READ ONLY transaction exports its snapshot; the row counts, the latest
signed tree head and the applied migrations are read in it, and ``pg_dump --format=custom --snapshot``
dumps exactly that state while the transaction stays open, so the manifest and the dump agree to the row
whatever the application writes meanwhile.  A restore is ``pg_restore --single-transaction
--exit-on-error --no-owner --no-privileges`` into an empty database (the role that connects owns what it
restores; grant the application's role afterwards: ``manage.py db_roles_sql``).

SQLite: the online backup API copies the database as of one moment into the backup's file; the counts
are read from that copy.  A restore copies it back the same way into an empty database file.

The password (when any) goes to the tools in ``PGPASSWORD``, never on their command line.
"""

import os
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.db import connection

PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite3"


class RestoreRefused(Exception):
    """The target is not fresh, or a tool failed."""


def _pg_conninfo(settings_dict) -> tuple[str, dict]:
    """``(conninfo without the password, environment for the tools)`` of a Django PostgreSQL database."""
    params = {"dbname": settings_dict["NAME"], "host": settings_dict.get("HOST") or None,
              "port": str(settings_dict.get("PORT") or "") or None, "user": settings_dict.get("USER") or None}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if settings_dict.get("OPTIONS", {}).get(key):
            params[key] = settings_dict["OPTIONS"][key]
    conninfo = psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return conninfo, env


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = done.stderr.strip()[-2000:]
        raise RestoreRefused(f"{Path(args[0]).name} failed ({done.returncode}): {tail}")
    return done.stdout


def tool_version(tool: str) -> str:
    return _run([tool, "--version"], dict(os.environ)).strip()


# ---------------------------------------------------------------- what the manifest says of a database

def _tables(cur, vendor: str) -> list[str]:
    if vendor == "postgresql":
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    else:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                    "ORDER BY name")
    return [row[0] for row in cur.fetchall()]


def describe(cur, vendor: str) -> dict:
    """Row counts per table, the latest signed tree head and the last migration of each app, read with
    the DB-API cursor ``cur`` (inside the snapshot, or on the copy)."""
    quote = '"{}"'.format
    tables = _tables(cur, vendor)
    counts = {}
    for table in tables:
        cur.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = cur.fetchone()[0]
    head = None
    if "audit_audittreehead" in tables:
        cur.execute("SELECT size, root, timestamp_ms, key_id, signature FROM audit_audittreehead "
                    "ORDER BY size DESC LIMIT 1")
        row = cur.fetchone()
        if row:
            head = {"size": row[0], "root": bytes(row[1]).hex(), "timestamp_ms": row[2], "key_id": row[3],
                    "signature": bytes(row[4]).hex()}
    migrations = {}
    if "django_migrations" in tables:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cur.fetchall():
            migrations[app] = name
    return {"tables": counts, "audit_head": head, "migrations": migrations}


# ---------------------------------------------------------------- backup

def dump(out_dir: Path) -> dict:
    """Copy the default database into ``out_dir``; return what the manifest records of it."""
    vendor = connection.vendor
    if vendor == "postgresql":
        return _pg_dump(out_dir)
    if vendor == "sqlite":
        return _sqlite_dump(out_dir)
    raise RestoreRefused(f"no backup for a {vendor} database")


def _pg_dump(out_dir: Path) -> dict:
    conninfo, env = _pg_conninfo(connection.settings_dict)
    with psycopg.connect(conninfo, password=connection.settings_dict.get("PASSWORD") or None) as snap:
        snap.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        snap.read_only = True
        with snap.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cur.fetchone()
            described = describe(cur, "postgresql")
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-password",
                  f"--file={out_dir / PG_DUMP_FILE}", f"--dbname={conninfo}"], env)
        snap.rollback()
    return {"vendor": "postgresql", "file": PG_DUMP_FILE, "server_version": server,
            "tool": tool_version("pg_dump"), **described}


def _sqlite_dump(out_dir: Path) -> dict:
    connection.ensure_connection()
    target = sqlite3.connect(out_dir / SQLITE_FILE)
    try:
        connection.connection.backup(target)
        described = describe(target.cursor(), "sqlite")
    finally:
        target.close()
    return {"vendor": "sqlite", "file": SQLITE_FILE, "server_version": sqlite3.sqlite_version,
            "tool": "sqlite3 online backup API", **described}


# ---------------------------------------------------------------- restore

def target_is_empty() -> bool:
    with connection.cursor() as cur:
        return not _tables(cur.cursor, connection.vendor)


def load(backup_dir: Path, database: dict) -> None:
    """Put the backup's database into the (empty) default database."""
    if database["vendor"] != connection.vendor:
        raise RestoreRefused(f"the backup is of a {database['vendor']} database, "
                             f"the target is {connection.vendor}")
    if not target_is_empty():
        raise RestoreRefused("the target database is not empty: restore only into a fresh database")
    source = backup_dir / database["file"]
    if connection.vendor == "postgresql":
        conninfo, env = _pg_conninfo(connection.settings_dict)
        connection.close()
        _run(["pg_restore", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
              "--no-password", f"--dbname={conninfo}", str(source)], env)
    else:
        with _sqlite(source) as src:
            connection.ensure_connection()
            src.backup(connection.connection)


@contextmanager
def _sqlite(path: Path):
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield conn
    finally:
        conn.close()


def describe_current() -> dict:
    with connection.cursor() as cur:
        return describe(cur.cursor, connection.vendor)  # the driver's cursor: no placeholder rewriting
