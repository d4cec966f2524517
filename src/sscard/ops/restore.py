"""Restoring a backup into a fresh database and storage, and proving the copy good
(``manage.py backup_restore``).

Run with the target's settings (``DATABASE_URL`` of an empty database, an empty media storage) and the
production keys.  After loading the database and the files it checks, and reports every failure:

- the backup itself: the database file's SHA-256 and each file's against the manifest, before loading;
- the row count of every table against the manifest;
- the audit log: ``audit_verify`` with the public key and the witness's heads file (its heads up to the
  backup's signed head; later ones are from after the backup), and that the backup's signed head is the
  restored log's latest and verifies under the public key;
- a sample of files: their SHA-256 as stored in the restored storage against the manifest;
- decryption: a sample of the rows of every model with an encrypted field, read (decrypted) with the
  field key, and the sampled files read through the default storage (which decrypts encrypted files).
"""

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.storage import storages

from sscard.audit.signing import tree_head_signature_ok
from sscard.audit.verify import audit_verify, read_heads_file
from sscard.core.fields import EncryptedTextField
from sscard.ops import database, files
from sscard.ops.backup import FORMAT, MANIFEST


@dataclass
class RestoreReport:
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_manifest(backup_dir: Path) -> dict:
    manifest = json.loads((Path(backup_dir) / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise database.RestoreRefused(f"not a backup of this format: {manifest.get('format')!r}")
    return manifest


def backup_restore(backup_dir: Path, *, public_key: bytes | None = None, heads_file: str | None = None,
                   sample: int = 20, seed: int | None = None) -> RestoreReport:
    """Load the backup into the (fresh) default database and storage, then verify it."""
    backup_dir = Path(backup_dir)
    manifest = read_manifest(backup_dir)
    report = RestoreReport()
    db = manifest["database"]
    if files.file_sha256(backup_dir / db["file"]) != db["sha256"]:
        raise database.RestoreRefused(f"{db['file']} does not match the manifest's SHA-256: "
                                      "the backup is damaged")
    storage = files.raw_storage()
    if next(files.walk(storage), None) is not None:
        raise database.RestoreRefused("the target storage is not empty: restore only into a fresh storage")
    database.load(backup_dir, db)
    report.checked.append(f"数据库已恢复（{db['vendor']}，{len(db['tables'])} 张表）")
    restored = []
    for entry in manifest["files"]:
        source = backup_dir / "files" / entry["name"]
        if not source.is_file() or files.file_sha256(source) != entry["sha256"]:
            report.problems.append(f"备份中的文件 {entry['name']} 缺失或与清单的 SHA-256 不符（未恢复）")
            continue
        files.put(storage, entry["name"], source)
        restored.append(entry)
    report.checked.append(f"文件已恢复：{len(restored)} 个（清单 {len(manifest['files'])} 个）")
    rng = random.Random(seed)
    _check_counts(manifest, report)
    _check_audit(manifest, report, public_key, heads_file)
    picked = rng.sample(restored, min(sample, len(restored)))
    _check_files(picked, storage, report)
    _check_decryption(picked, rng, sample, report)
    return report


def _check_counts(manifest: dict, report: RestoreReport) -> None:
    restored = database.describe_current()["tables"]
    expected = manifest["database"]["tables"]
    for table, count in expected.items():
        if restored.get(table) != count:
            report.problems.append(f"表 {table} 行数 {restored.get(table)}，清单为 {count}")
    for table in sorted(set(restored) - set(expected)):
        report.problems.append(f"表 {table} 不在清单中")
    report.checked.append(f"行数核对：{len(expected)} 张表，共 {sum(expected.values())} 行")


def _check_audit(manifest: dict, report: RestoreReport, public_key: bytes | None,
                 heads_file: str | None) -> None:
    head = manifest["database"]["audit_head"]
    ok, seq, reason = audit_verify(public_key=public_key, heads_file=heads_file,
                                   heads_until=head["size"] if head else 0)
    if not ok:
        where = f"（第一条问题记录 seq={seq}）" if seq is not None else ""
        report.problems.append(f"审计日志校验未通过{where}：{reason}")
    else:
        report.checked.append(f"审计日志：{reason}" + ("，与见证副本一致" if heads_file else "（未给见证副本）"))
    if head:
        if not tree_head_signature_ok(head["size"], bytes.fromhex(head["root"]), head["timestamp_ms"],
                                      bytes.fromhex(head["signature"]), public_key):
            report.problems.append(f"清单中的签名树头（叶数 {head['size']}）签名无效")
        latest = database.describe_current()["audit_head"]
        if latest != head:
            report.problems.append(f"恢复后的最新签名树头与备份时的不同（清单叶数 {head['size']}）")
        else:
            report.checked.append(f"备份时的签名树头：叶数 {head['size']}，签名有效")
        if heads_file:
            witness, _ = read_heads_file(heads_file, public_key)
            if witness.get(head["size"]) != bytes.fromhex(head["root"]):
                report.problems.append(f"见证副本中没有备份时的签名树头（叶数 {head['size']}）")


def _check_files(picked: list[dict], storage, report: RestoreReport) -> None:
    for entry in picked:
        if files.stored_sha256(storage, entry["name"]) != entry["sha256"]:
            report.problems.append(f"恢复后的文件 {entry['name']} 与清单的 SHA-256 不符")
    report.checked.append(f"文件抽查：{len(picked)} 个的 SHA-256 与清单一致" if not report.problems else
                          f"文件抽查：{len(picked)} 个")


def _check_decryption(picked: list[dict], rng: random.Random, sample: int, report: RestoreReport) -> None:
    """Read a sample of every encrypted column with the configured field key, and the sampled files
    through the default storage (which decrypts what it stores encrypted)."""
    rows = 0
    for model in apps.get_models():
        encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if not encrypted:
            continue
        ids = list(model._default_manager.values_list("pk", flat=True).order_by("pk")[:10 * sample])
        chosen = rng.sample(ids, min(sample, len(ids)))
        try:
            values = list(model._default_manager.filter(pk__in=chosen).values_list(*encrypted))
        except Exception as exc:  # noqa: BLE001 - any failure to decrypt is the finding
            report.problems.append(f"{model._meta.label} 的加密字段无法解密：{type(exc).__name__}")
            continue
        rows += len(values)
    readable = storages["default"]
    opened = 0
    for entry in picked:
        try:
            with readable.open(entry["name"], "rb") as fh:
                while fh.read(files.CHUNK):
                    pass
            opened += 1
        except Exception as exc:  # noqa: BLE001 - any failure to read or decrypt is the finding
            report.problems.append(f"文件 {entry['name']} 无法通过默认存储读出：{type(exc).__name__}")
    report.checked.append(f"解密抽查：{rows} 行的加密字段、{opened} 个文件经默认存储读出")
