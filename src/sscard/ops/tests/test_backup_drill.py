"""The restore drill: a database with people (encrypted fields), stored files (one encrypted) and a
signed audit log is backed up, restored by a separate process into a fresh database and storage (with
only the public key of the audit log and the witness's heads file), and verified.  On PostgreSQL (the
production database: pg_dump of one snapshot) and on SQLite (the online backup API).  A backup of a log
recomputed without the signing key fails the drill; so does a damaged file in the backup."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from sscard.audit.hashing import event_hash, leaf_hash
from sscard.audit.models import AuditEvent, AuditLeaf, AuditTreeHead
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record_many
from sscard.audit.signing import public_key_bytes
from sscard.core import crypto
from sscard.ops import database, files
from sscard.people.models import Person
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_guard_lifted

pytestmark = pytest.mark.django_db(transaction=True)  # the backup reads what is committed

MANAGE = Path(django_settings.BASE_DIR) / "manage.py"


@pytest.fixture
def data(settings, tmp_path):
    settings.AUDIT_HEADS_FILE = str(tmp_path / "heads.jsonl")
    for i in range(3):
        f.make_person(name=f"测试{i}", phone=f"1380013800{i}")
    default_storage.save("archive/2026/12/photo.jpg", ContentFile(f.jpeg_bytes()))  # as the app stores
    raw = files.raw_storage()  # and two written as stored bytes: a sealed blob and a plain file
    raw.save("archive/2026/12/scan.bin", ContentFile(crypto.encrypt_bytes(b"ID card scan")))
    raw.save("top.txt", ContentFile(b"plain"))
    with transaction.atomic():
        audit_record_many(event_type="DEMO_DATA_LOADED", actor=Actor.system("test"),
                          rows=[{"subject_type": "thing", "subject_id": i} for i in range(5)])
    audit_integrate()
    with transaction.atomic():
        audit_record_many(event_type="DEMO_DATA_LOADED", actor=Actor.system("test"),
                          rows=[{"subject_type": "thing", "subject_id": "pending"}])  # one still pending
    return settings.AUDIT_HEADS_FILE


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the same kind as the test database; dropped afterwards."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{params['NAME']}_drill_{secrets.token_hex(4)}"
    admin = dict(dbname="postgres", host=params["HOST"] or None, port=params["PORT"] or None,
                 user=params["USER"] or None, password=params["PASSWORD"] or None)
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = quote(params["USER"] or "") + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}/{name}"
    finally:
        with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def restore(backup, database_url, media, heads):
    """``backup_restore`` in its own process, configured for the fresh target: the production field key
    (here the development one), no signing key of the audit log (another one), its public key given."""
    env = dict(os.environ, DATABASE_URL=database_url, SSCARD_MEDIA_ROOT=str(media),
               SSCARD_VAR_DIR=str(Path(media).parent / "restore-var"),
               SSCARD_AUDIT_SIGNING_KEY=base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode(),
               SSCARD_AUDIT_VERIFY_KEY="")
    Path(env["SSCARD_VAR_DIR"]).mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, str(MANAGE), "backup_restore", str(backup), "--heads", heads, "--sample", "10",
         "--public-key", base64.b64encode(public_key_bytes()).decode()],
        env=env, capture_output=True, text=True, timeout=300)


def test_the_drill_restores_and_verifies_everything(data, fresh_database, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup_create", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    tables = manifest["database"]["tables"]
    assert (tables["people_person"], tables["audit_auditevent"], tables["audit_auditpending"]) == (3, 6, 1)
    assert manifest["database"]["audit_head"]["size"] == 5
    assert sorted(e["name"] for e in manifest["files"]) == [
        "archive/2026/12/photo.jpg", "archive/2026/12/scan.bin", "top.txt"]
    # as stored, byte for byte: an encrypted file is in the backup encrypted
    for entry in manifest["files"]:
        with files.raw_storage().open(entry["name"], "rb") as fh:
            assert (backup / "files" / entry["name"]).read_bytes() == fh.read()
    scan = (backup / "files" / "archive/2026/12/scan.bin").read_bytes()
    assert b"ID card scan" not in scan and crypto.decrypt_bytes(scan) == b"ID card scan"
    if files.raw_storage() is not storages["default"]:  # the files-at-rest wrapper seals what the app stores
        assert (backup / "files" / "archive/2026/12/photo.jpg").read_bytes() != f.jpeg_bytes()
    # nothing secret in the manifest or beside it: no key, no heads file, no personal data in clear
    text = (backup / "manifest.json").read_text(encoding="utf-8")
    for secret in (django_settings.FIELD_ENCRYPTION_KEY, django_settings.AUDIT_SIGNING_KEY, "测试0",
                   "13800138000"):
        assert secret not in text
    dump = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert sorted(p.name for p in backup.iterdir()) == [dump, "files", "manifest.json"]

    media = tmp_path / "restored-media"
    done = restore(backup, fresh_database, media, data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "恢复校验通过" in done.stdout
    assert "与见证副本一致" in done.stdout and "备份时的签名树头：叶数 5，签名有效" in done.stdout
    assert "解密抽查：3 行的加密字段、3 个文件经默认存储读出" in done.stdout
    assert (media / "archive/2026/12/scan.bin").read_bytes() == scan
    # the restored rows are the backed-up ones, and read back (decrypt) with the field key
    restored = {id_hash: crypto.decrypt(token) for id_hash, token in _restored_persons(fresh_database)}
    assert restored == dict(Person.objects.values_list("id_hash", "id_number"))
    if connection.vendor == "postgresql":  # the restored audit tables are append-only too
        with psycopg.connect(fresh_database.replace("postgres://", "postgresql://")) as conn:
            guarded = conn.execute(
                "SELECT count(DISTINCT event_object_table) FROM information_schema.triggers "
                "WHERE action_statement LIKE '%sscard_audit_append_only%'").fetchone()[0]
        assert guarded == 5
    print(done.stdout)

    again = restore(backup, fresh_database, tmp_path / "other-media", data)
    assert again.returncode != 0 and "the target database is not empty" in again.stderr


def _restored_persons(url):
    if url.startswith("sqlite"):
        import sqlite3  # noqa: PLC0415 - only this branch reads a SQLite file

        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return list(conn.execute("SELECT id_hash, id_number FROM people_person"))
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
        return list(conn.execute("SELECT id_hash, id_number FROM people_person"))


def test_a_backup_of_a_log_recomputed_without_the_key_fails_the_drill(data, fresh_database, tmp_path):
    """Before the backup, someone with full database access rewrote an event and recomputed the hashes,
    the leaves and the head (deleted: no key to sign a new one).  The restored copy is consistent in
    itself; the public key and the witness's heads file tell."""
    with audit_guard_lifted():
        target = AuditEvent.objects.order_by("seq").first()
        AuditEvent.objects.filter(seq=target.seq).update(data={"forged": True})
        forged = AuditEvent.objects.get(seq=target.seq)
        AuditEvent.objects.filter(seq=target.seq).update(hash=event_hash(forged))
        AuditLeaf.objects.filter(event_id=target.seq).update(digest=leaf_hash(event_hash(forged)))
        AuditTreeHead.objects.all().delete()
    backup = tmp_path / "backup"
    call_command("backup_create", str(backup))
    done = restore(backup, fresh_database, tmp_path / "restored-media", data)
    assert done.returncode != 0
    assert "审计日志校验未通过" in done.stderr and "恢复校验未通过" in done.stderr


def test_a_damaged_file_in_the_backup_is_reported(data, fresh_database, tmp_path):
    backup = tmp_path / "backup"
    call_command("backup_create", str(backup))
    (backup / "files" / "top.txt").write_bytes(b"changed")
    done = restore(backup, fresh_database, tmp_path / "restored-media", data)
    assert done.returncode != 0 and "top.txt 缺失或与清单的 SHA-256 不符" in done.stderr


def test_a_backup_goes_into_a_new_folder_only(data, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_create", str(tmp_path / "used"))


@pytest.mark.postgres
def test_rows_committed_while_pg_dump_runs_are_in_neither_dump_nor_manifest(data, fresh_database, tmp_path,
                                                                            monkeypatch):
    """The manifest's counts and head are read in the snapshot pg_dump dumps: a business committed after
    the snapshot was taken (here: just before pg_dump starts) is in neither, so the restore's counts and
    audit log agree with the manifest."""
    real_run = database._run

    def run_after_a_commit(args, env):
        if args[0] == "pg_dump" and "--format=custom" in args:
            f.make_person(name="快照之后")  # committed on the application's connection, after the snapshot
            with transaction.atomic():
                audit_record_many(event_type="DEMO_DATA_LOADED", actor=Actor.system("test"),
                                  rows=[{"subject_type": "thing", "subject_id": "late"}])
            audit_integrate()
        return real_run(args, env)

    monkeypatch.setattr(database, "_run", run_after_a_commit)
    backup = tmp_path / "backup"
    call_command("backup_create", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert Person.objects.count() == 4 and AuditTreeHead.objects.order_by("-size").first().size == 7
    assert manifest["database"]["tables"]["people_person"] == 3
    assert manifest["database"]["audit_head"]["size"] == 5
    done = restore(backup, fresh_database, tmp_path / "restored-media", data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "行数核对：" in done.stdout and "备份时的签名树头：叶数 5" in done.stdout
    assert len(_restored_persons(fresh_database)) == 3
