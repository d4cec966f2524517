"""Benchmark: the 96-hour activation sweep over N due batch cards on PostgreSQL (default 1,000,000), against
its floor measured in the same run on the same rows.

    .venv/bin/python bench/sweeps.py                       # 1,000,000 cards
    .venv/bin/python bench/sweeps.py --cards 100000 --chunk 5000

Loads N picked-up batch cards whose 96 hours have passed (persons, applications, batch rows, production
items and cards, written server-side with ``INSERT ... SELECT generate_series``: the sweep reads none of
the personal fields, so they hold placeholder ciphertext), then runs ``production.pickup.
batch_activation_sweep`` as ``run_due_sweeps`` would (each card moved through the state table, its
state-change row, its ``CARD_ACTIVATED`` event and queue row, its item marked).  The floor is what the
issue names, in one transaction on the same rows: one UPDATE of the cards (``made`` -> ``active``) and one
INSERT of as many audit-shaped rows (built by the server, no client transfer) into a scratch table of the
audit table's shape with its indexes; it is rolled back.  Prints cards, seconds, cards/s, floor seconds and
the ratio; then checks that a rerun changes nothing and that every card has exactly one audit event, and
runs the sequencer over the new events (its own figure).  Uses its own database (``$SSCARD_BENCH_PG``,
default sscard_bench_sweeps), recreated each run.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _pg import django_on, recreate_database  # noqa: E402

sys.path.insert(0, str(ROOT / "src"))
PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench_sweeps")
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)


def _django() -> None:
    django_on(PG_URL, "/tmp/sscard-bench-sweeps")


def _recreate_database() -> None:
    recreate_database(PG_URL)


def load(n: int) -> None:
    """N due batch cards and everything their rows point to."""
    from django.core.management import call_command
    from django.db import connection

    from sscard.testing import factories as f

    call_command("migrate", verbosity=0)
    outlet = f.make_outlet()
    handler = f.make_person(name="经办人")
    employer, _ = f.make_employer(handler=handler)
    picked = NOW - dt.timedelta(hours=100)
    due = picked + dt.timedelta(hours=96)
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM employers_employerhandler WHERE employer_id = %s", [employer.pk])
        handler_id = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO batches_batch (batch_no, business, kind, route, channel, catalogue_version,
                handler_doc_type, actor_name, actor_role, status, total_rows, processed_rows, accepted_rows,
                refused_rows, failure, source_name, source_format, source_sha256, scans_name, scans_sha256,
                voucher_no, submitted_at, due_provisional, updated_at, employer_id, handler_id, outlet_id)
            VALUES ('PL-BENCH', 'batch_apply', 'apply', 'file', 'window', 'bench', 'id_card', 'bench',
                'clerk', 'accepted', %s, %s, %s, 0, '', 'bench.xlsx', 'xlsx', '', '', '', '', %s, false, %s,
                %s, %s, %s) RETURNING id""", [n, n, n, picked, picked, employer.pk, handler_id, outlet.pk])
        batch_id = cur.fetchone()[0]
        cur.execute("""
            INSERT INTO production_productionorder (order_no, bank, stage, created_at, updated_at, batch_id,
                outlet_id) VALUES ('ZK-BENCH', 'bench', 'closed', %s, %s, %s, %s) RETURNING id""",
                    [picked, picked, batch_id, outlet.pk])
        order_id = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM people_person")
        base = cur.fetchone()[0] + 1
        started = time.monotonic()
        # Rows are consistent by construction; the foreign-key triggers are off while loading only.
        cur.execute("SET session_replication_role = replica")
        cur.execute("""
            INSERT INTO people_person (id, name, id_type, id_number, id_hash, birth_date, gender, ethnicity,
                nationality, phone, phone_hash, address, fee_exempt, created_at, updated_at)
            SELECT %s + i, '批量' || i, 'id_card', 'x', md5('p' || i), DATE '1990-01-01', 'M', '汉族', 'CHN',
                'x', md5('t' || i), 'x', false, %s, %s FROM generate_series(0, %s - 1) i""",
                    [base, picked, picked, n])
        cur.execute("""
            INSERT INTO desk_servicerequest (id, request_no, business, channel, applicant_role,
                catalogue_version, actor_name, actor_role, status, pending_steps, materials, payload, reason,
                photo_changed, signature_mode, archive_mode, production_mode, due_provisional, delivery,
                delivery_address, tracking_no, review_note, created_at, updated_at, applicant_id, rejection)
            SELECT %s + i, 'YW-B' || lpad(i::text, 10, '0'), 'batch_apply', 'window', 'self', 'bench',
                'bench', 'clerk', 'completed', '[]', '[]', '{}', '', false, '', '', 'central', false,
                'pickup', '', '', '', %s, %s, %s + i, '{}' FROM generate_series(0, %s - 1) i""",
                    [base, picked, picked, base, n])
        cur.execute("""
            INSERT INTO batches_batchrow (id, line_no, seq, status, data, numeric, id_hash, reason, scans,
                created_at, batch_id, person_id, request_id)
            SELECT %s + i, i + 2, lpad(i::text, 6, '0'), 'accepted', 'x', '', md5('p' || i), '', '{}', %s, %s,
                %s + i, %s + i FROM generate_series(0, %s - 1) i""", [base, picked, batch_id, base, base, n])
        cur.execute("""
            INSERT INTO cards_card (id, card_no, identification_code, state, state_changed_at, origin_channel,
                made_at, issued_at, pin_failures, issued_outlet_id, person_id)
            SELECT %s + i, 'B' || lpad(i::text, 8, '0'), '', 'made', %s, 'window', %s, %s, 0, %s, %s + i
            FROM generate_series(0, %s - 1) i""", [base, picked, picked, picked, outlet.pk, base, n])
        cur.execute("""
            INSERT INTO production_productionitem (item_no, stage, failure_stage, failure_code,
                failure_reason, account_no, card_no, picked_up_at, activation_due_at, updated_at,
                batch_row_id, card_id, request_id, order_id)
            SELECT lpad(i::text, 8, '0'), 'picked_up', '', '', '', '', 'B' || lpad(i::text, 8, '0'), %s, %s,
                %s, %s + i, %s + i, %s + i, %s FROM generate_series(0, %s - 1) i""",
                    [picked, due, picked, base, base, base, order_id, n])
        cur.execute("SET session_replication_role = DEFAULT")
        for table in ("people_person", "desk_servicerequest", "batches_batchrow", "cards_card"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    _vacuum()
    print(f"loaded {n:,} due batch cards in {time.monotonic() - started:.1f} s", flush=True)


def _vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
        cur.execute("CHECKPOINT")


def floor(n: int) -> float:
    """One UPDATE of the same cards + one INSERT of N audit-shaped rows into a scratch table of the audit
    table's shape (indexes included), in one transaction, rolled back.  Seconds."""
    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_audit_floor")
        cur.execute("CREATE TABLE bench_audit_floor (LIKE audit_auditevent INCLUDING ALL)")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("""UPDATE cards_card SET state = 'made', state_changed_at = %s, activated_at = NULL
                       WHERE id IN (SELECT card_id FROM production_productionitem
                                    WHERE stage = 'picked_up')""", [NOW])
        updated = cur.rowcount
        cur.execute("""
            INSERT INTO bench_audit_floor (event_type, at, actor_kind, actor_id, actor_name, actor_role,
                channel, outlet_id, subject_type, subject_id, person_id, before, after, data, request_id,
                nonce, hash)
            SELECT 'CARD_ACTIVATED', %s, 'system', NULL, 'batch-activation', 'system', 'system', NULL, 'card',
                c.card_no, c.person_id, '{"state": "made"}', '{"state": "active"}',
                jsonb_build_object('request_no', '', 'reason', 'batch_96h', 'due_at', i.activation_due_at),
                '', substr(md5(c.card_no), 1, 16), encode(sha256(c.card_no::bytea), 'hex')
            FROM production_productionitem i JOIN cards_card c ON c.id = i.card_id
            WHERE i.stage = 'picked_up'""", [NOW])
        inserted = cur.rowcount
        seconds = time.monotonic() - started
        assert updated == inserted == n, (updated, inserted, n)
        transaction.set_rollback(True)
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_audit_floor")
    return seconds


def counts() -> dict:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""SELECT (SELECT count(*) FROM cards_card WHERE state = 'active'),
                              (SELECT count(*) FROM cards_cardstatechange WHERE event = 'activate'),
                              (SELECT count(*) FROM audit_auditevent WHERE event_type = 'CARD_ACTIVATED'),
                              (SELECT count(DISTINCT subject_id) FROM audit_auditevent
                                WHERE event_type = 'CARD_ACTIVATED'),
                              (SELECT count(*) FROM audit_auditevent),
                              (SELECT count(*) FROM production_productionitem WHERE activated_at IS NULL)""")
        keys = ("active", "state_changes", "activated_events", "cards_with_event", "events", "items_waiting")
        return dict(zip(keys, cur.fetchone()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=None, help="rows per transaction (SSCARD_SWEEP_CHUNK)")
    parser.add_argument("--no-sequencer", action="store_true")
    args = parser.parse_args()
    _recreate_database()
    _django()
    load(args.cards)
    from django.conf import settings

    from sscard.core import clock
    from sscard.production.pickup import batch_activation_sweep

    chunk = args.chunk or settings.SSCARD_SWEEP_CHUNK
    clock.freeze(NOW)
    cpu = time.process_time()
    started = time.monotonic()
    done = batch_activation_sweep(now=NOW, chunk=chunk)
    seconds = time.monotonic() - started
    cpu = time.process_time() - cpu
    after = counts()
    assert done == args.cards, (done, args.cards)
    started = time.monotonic()
    again = batch_activation_sweep(now=NOW, chunk=chunk)
    rerun = time.monotonic() - started
    unchanged = counts() == after
    _vacuum()
    floor_s = floor(args.cards)
    print()
    print("| cards | chunk | sweep (s) | cards/s | sweep CPU in Python (s) | floor (s) | ratio to floor |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.cards:,} | {chunk:,} | {seconds:.1f} | {args.cards / seconds:,.0f} | {cpu:.1f} "
          f"| {floor_s:.1f} | {seconds / floor_s:.2f}× |")
    print()
    print(f"rerun: moved {again}, rows unchanged: {unchanged} ({rerun:.2f} s)")
    every = (after["active"] == after["state_changes"] == after["activated_events"]
             == after["cards_with_event"] == args.cards and after["items_waiting"] == 0)
    print(f"every card active, with one state change and one CARD_ACTIVATED event: {every} {after}")
    if not (again == 0 and unchanged and every):
        sys.exit("FAILED: the sweep is not idempotent or a card lacks its audit event")
    if not args.no_sequencer:
        from sscard.audit.sequencer import audit_integrate

        started = time.monotonic()
        head = audit_integrate()
        took = time.monotonic() - started
        print(f"sequencer: {after['events']:,} events into the tree in {took:.1f} s "
              f"({after['events'] / took:,.0f} events/s), tree size {head.size:,}")


if __name__ == "__main__":
    main()
