"""Checking the rows of a batch before they are stored: the sheet's rules (``rules.check_row``), duplicates
inside the file, and the scans (present, readable, photo format / size / white background).

Pure work on the rows and the scans zip, no database: for a large batch it runs in a pool of worker
processes (``SSCARD_BATCH_CHECK_WORKERS``, from ``SSCARD_BATCH_PARALLEL_MIN_ROWS`` rows on) while the
calling process stores the chunks already checked, in order.  Workers are started fresh ("spawn"), never
forked, so they share no database connection with the caller.
"""

import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import django
from django.conf import settings

from sscard.batches import columns as cols
from sscard.batches import storage
from sscard.batches.rules import RowCheck, check_row
from sscard.batches.scans import ScanArchive, ScanRules, check_photo, check_scan, open_scans
from sscard.core import crypto
from sscard.people import idnumbers
from sscard.people.lookup import id_hash
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import PhotoRule
from sscard.policy.unit import business_for_sheet

DEFAULT_PARALLEL_MIN_ROWS = 5000
SCAN_LABELS = {"photo": ("照片", "证件号码.jpg"), "id_front": ("身份证正面", "证件号码_正面.jpg"),
               "id_back": ("身份证反面", "证件号码_反面.jpg"), "hukou_own": ("户口簿本人页", "证件号码_户口本人页.jpg"),
               "hukou_change": ("户口簿增减页", "证件号码_户口增减页.jpg")}


@dataclass(frozen=True)
class SourceRow:
    line_no: int
    values: tuple[str, ...]
    numeric: frozenset[int] = frozenset()


@dataclass
class Checked:
    row: SourceRow
    chk: RowCheck
    scans: dict = field(default_factory=dict)
    id_hash: str = ""


@dataclass(frozen=True)
class StoredScans:
    """A batch's stored scans zip (a local path) and where its checked directory is: the ``scans`` slice
    of a part file (``part_name``), or ``index_name`` (a whole directory, kept by an earlier version)."""

    path: str
    index_name: str = ""
    part_name: str = ""

    def open(self):
        """The zip as a ``ScanArchive`` from the directory the structural checks kept, or walked and
        checked again (neither kept)."""
        if self.part_name:
            return ScanArchive.from_index(Path(self.path), storage.read_encrypted_json(self.part_name)["scans"])
        if storage.exists(self.index_name):
            return ScanArchive.from_index(Path(self.path), storage.read_encrypted_json(self.index_name))
        return open_scans(Path(self.path))


def scan_ids(doc_number: str) -> set[str]:
    """The ID numbers a row's scans may be filed under (what ``check_row`` will make of its number: the
    normalised number, and a 15-digit one upgraded to 18 digits), for the part's slice of the directory."""
    value = idnumbers.normalise(doc_number)
    ids = {value} if value else set()
    if len(value) == 15 and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        ids.add(first17 + idnumbers.check_digit(first17))
    return ids


def _dup_key(values: dict[str, str]) -> str:
    return idnumbers.canonical_number(values.get("doc_number", ""))


def duplicates(rows: list[SourceRow], keys: list[str]) -> dict[str, list[int]]:
    """ID numbers that stand on more than one line of the file -> those lines (the key of ``_dup_key``)."""
    seen: dict[str, list[int]] = {}
    idx = keys.index("doc_number")
    for r in rows:
        key = _dup_key({"doc_number": r.values[idx]}) if idx < len(r.values) else ""
        if key:
            seen.setdefault(key, []).append(r.line_no)
    return {k: v for k, v in seen.items() if len(v) > 1}


def parallel_workers(total_rows: int) -> int:
    """How many checking processes for a batch of ``total_rows`` (0: check in this process)."""
    if total_rows < int(getattr(settings, "SSCARD_BATCH_PARALLEL_MIN_ROWS", DEFAULT_PARALLEL_MIN_ROWS)):
        return 0
    # one core stays with the caller, which stores the checked chunks meanwhile
    return int(getattr(settings, "SSCARD_BATCH_CHECK_WORKERS", max(1, (os.cpu_count() or 1) - 1)))


def checked_chunks(kind: str, chunks: list[list[SourceRow]], keys, dups, scans: StoredScans | None, today, *,
                   parallel: bool = True):
    """Yield each chunk's ``Checked`` rows, in order (a pool of processes for large batches when
    ``parallel``; a chunk task checks in its own process, the task workers being the parallelism)."""
    workers = parallel_workers(sum(len(c) for c in chunks)) if parallel else 0
    if workers <= 0:
        yield from _in_process(kind, chunks, keys, dups, scans, today)
        return

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
        pending: deque = deque()
        it = iter(chunks)
        for chunk in it:
            pending.append(pool.submit(_worker_check, kind, chunk, keys, dups, scans, today))
            if len(pending) > workers:
                break
        while pending:
            outcome = pending.popleft().result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(pool.submit(_worker_check, kind, nxt, keys, dups, scans, today))
            yield outcome


def _in_process(kind, chunks, keys, dups, scans: StoredScans | None, today):
    with scans.open() if scans is not None else nullcontext(None) as archive:
        for chunk in chunks:
            yield check_rows(kind, chunk, keys, dups, archive, today)


_WORKER_SCANS: dict = {}


def _worker_init() -> None:
    django.setup()


def _worker_check(kind, rows, keys, dups, scans: StoredScans | None, today):
    """``check_rows`` in a worker process; a domain error it raises pickles whole (``DomainError.__reduce__``)
    and ``result()`` raises it again in the caller."""
    archive = None
    if scans is not None:
        archive = _WORKER_SCANS.get(scans)
        if archive is None:
            archive = _WORKER_SCANS[scans] = scans.open()
    return check_rows(kind, rows, keys, dups, archive, today)


def check_rows(kind: str, rows: list[SourceRow], keys: list[str], dups, scans, today) -> list[Checked]:
    cat = get_catalogue()
    adult_age, banks = cat.setting("adult_age"), cols.service_banks()
    photo_rule = business_for_sheet(cat.unit, kind).photo  # required, or on_change (the sheet's 是否更换照片)
    rules = ScanRules.current() if scans is not None else None
    out = []
    for row in rows:
        values = dict(zip(keys, row.values))
        numeric = {keys[i] for i in row.numeric if i < len(keys)}
        chk = check_row(values, kind=kind, numeric=numeric, today=today, adult_age=adult_age, banks=banks)
        item = Checked(row=row, chk=chk)
        if chk.ok:
            lines = dups.get(_dup_key(values))
            if lines:
                others = "、".join(str(n) for n in lines if n != row.line_no)
                chk.problems.append(f"文件内证件号码重复（与第 {others} 行相同）")
        if chk.ok and scans is not None:
            item.scans = _check_scans(cat.unit.scans, photo_rule, chk, scans, rules)
        if chk.ok:
            item.id_hash = id_hash(chk.id_number, chk.doc_type)
        out.append(item)
    return out


def _check_scans(unit_scans, photo_rule: str, chk: RowCheck, scans, rules) -> dict:
    wanted = list(unit_scans.minor if chk.minor else unit_scans.adult)
    photo_required = (photo_rule == PhotoRule.REQUIRED or chk.values.get("photo_changed") == "是") and (
        not chk.minor or unit_scans.minor_photo == PhotoRule.REQUIRED)
    found = {}
    for kind in ["photo", *wanted]:
        name = scans.find(chk.id_number, kind)
        label, pattern = SCAN_LABELS[kind]
        if name is None:
            if kind != "photo" or photo_required:
                chk.problems.append(f"缺少{label}扫描件（应命名为“{pattern}”）")
            continue
        content = scans.read(name, rules.max_bytes)
        problems = check_photo(content, rules) if kind == "photo" else check_scan(content, rules)
        chk.problems.extend(f"{label}：{p}" for p in problems)
        found[kind] = hashlib.sha256(content).hexdigest()  # member names carry the ID number: not kept
    return found
