"""Benchmark: audited card changes from 1, 4 and 16 concurrent writers on PostgreSQL, against the same
loop without audit (the floor), and against the same loop with one shared row locked per write (how the
old hash chain's head serialised every audited write in the city).

    .venv/bin/python bench/audit_writers.py                   # 6 s per measurement
    .venv/bin/python bench/audit_writers.py --seconds 10 --writers 1,2,4,8,16

Each writer is its own process and connection and changes its own cards only: in one transaction it
locks a card, moves it (lock ↔ unlock through ``cards.services.card_apply_event``: the card row, its
state-change row and, when audited, the audit event and its queue row) and commits.  The figure is
committed writes per second over the window; ratio = audited / floor at the same writer count (1.0:
audit costs nothing; it should not fall as writers are added).  Then the sequencer integrates
everything written and the verifier checks it; their rates are printed too.  Uses its own database
(``$SSCARD_BENCH_PG``, default sscard_bench_audit), recreated each run.
"""

import argparse
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _pg import django_on, recreate_database  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench_audit")
CARDS_PER_WRITER = 4


def _django() -> None:
    django_on(PG_URL, "/tmp/sscard-bench-audit")


def _recreate_database() -> None:
    recreate_database(PG_URL)


def _setup(max_writers: int) -> list[int]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sscard.testing.factories import make_card, make_person

    ids = []
    for i in range(max_writers * CARDS_PER_WRITER):
        person = make_person(name=f"测试{i:04d}")
        ids.append(make_card(person, state="active").id)
    return ids


def _writer(card_ids, mode, seconds, start_at, out):
    from django.db import connection, transaction

    import sscard.cards.services as cs
    from sscard.audit.models import AuditSequencerLock
    from sscard.staff.actors import Actor

    if mode == "floor":
        cs.audit_record = lambda **kw: None
    actor = Actor.system("bench")
    connection.ensure_connection()
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + seconds
    done = 0
    i = 0
    while time.time() < end:
        card_id = card_ids[i % len(card_ids)]
        i += 1
        with transaction.atomic():
            card = cs.card_lock(card_id)
            if mode == "one_row":
                AuditSequencerLock.objects.select_for_update().get(id=1)
            cs.card_apply_event(card=card, event="lock" if card.state == "active" else "unlock", actor=actor)
        done += 1
    out.put(done)
    connection.close()


def measure(card_ids, mode: str, writers: int, seconds: float) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 1.0
    procs = [ctx.Process(target=_writer, args=(card_ids[w * CARDS_PER_WRITER:(w + 1) * CARDS_PER_WRITER], mode,
                                                seconds, start_at, out)) for w in range(writers)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--writers", default="1,4,16")
    args = parser.parse_args()
    counts = [int(x) for x in args.writers.split(",")]
    _recreate_database()
    _django()
    card_ids = _setup(max(counts))
    from sscard.audit.models import AuditSequencerLock

    AuditSequencerLock.objects.get_or_create(id=1)
    rows = []
    for n in counts:
        floor = measure(card_ids, "floor", n, args.seconds)
        audited = measure(card_ids, "audited", n, args.seconds)
        one_row = measure(card_ids, "one_row", n, args.seconds)
        rows.append((n, floor, audited, one_row))
        print(f"writers={n:3d}  floor {floor:8.0f}/s  audited {audited:8.0f}/s  ratio {audited / floor:5.2f}"
              f"  | one shared row {one_row:8.0f}/s  ratio {one_row / floor:5.2f}", flush=True)

    from sscard.audit.models import AuditEvent
    from sscard.audit.sequencer import audit_integrate
    from sscard.audit.verify import audit_verify

    events = AuditEvent.objects.count()
    t0 = time.perf_counter()
    audit_integrate()
    t1 = time.perf_counter()
    ok, _, reason = audit_verify()
    t2 = time.perf_counter()
    print(f"sequencer: {events} events integrated in {t1 - t0:.1f} s ({events / (t1 - t0):.0f}/s); "
          f"verifier: {t2 - t1:.1f} s ({events / (t2 - t1):.0f}/s), {'ok' if ok else 'FAILED'}: {reason}")
    print("| writers | floor (writes/s) | audited (writes/s) | ratio | one shared row (writes/s) | ratio |")
    print("|---|---|---|---|---|---|")
    for n, floor, audited, one_row in rows:
        print(f"| {n} | {floor:,.0f} | {audited:,.0f} | {audited / floor:.2f} | {one_row:,.0f} | {one_row / floor:.2f} |")


if __name__ == "__main__":
    main()
