"""Benchmark: the status query (``POST /api/v1/cards/status-query``) of a window clerk and of app users,
against a bare lookup view, under the same gunicorn and wrk settings, at N persons with a card each.

    .venv/bin/python bench/status_query.py                    # 1,000,000 cards, 15 s per measurement
    .venv/bin/python bench/status_query.py --cards 10000000 --seconds 20 --rounds 3

Data: N persons and their cards are loaded into the bench's own PostgreSQL database
(``$SSCARD_BENCH_PG``, default sscard_bench_status) with COPY: each ID number, phone and address is
encrypted with the project's ``core.crypto.encrypt`` and hashed with ``core.crypto.lookup_hash``, on every
core (one process per core, each with its own COPY), the tables' indexes and constraints dropped for the
load and rebuilt after it.  The loaded database is kept: a later run with the same N and the same keys
reuses it (``--reload`` forces a new load).  A clerk (at an outlet), 1,000 app accounts and their tokens
are made fresh each run.

Server: gunicorn, sync, 2 workers, DEBUG off, persistent connections (the project's settings, served
through ``bench/status_settings.py``, whose URLconf ``bench/status_urls.py`` adds the bare view
``/bench/bare-lookup``: the person by keyed hash, then their cards, no auth, no access log).  Load: wrk,
32 connections, 2 threads, a fixed duration, a Lua script posting a random existing ID number each
request (the clerk with one clerk token; the bare view the same bodies), or a random app account's token
with an empty body (the citizen).  Each round measures bare, clerk, citizen in turn after a short warm-up;
the figures are the medians over the rounds.  Ratio = query req/s / bare req/s (target ≥ 0.5), p99
target ≤ 40 ms.  Everything runs on 127.0.0.1 and stops by itself.
"""

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from _env import bench_env  # noqa: E402  (bench/ is the script folder)

PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench_status")
TABLES = ("people_person", "cards_card")
CHUNK = 20_000
BIRTH_FROM = dt.date(1950, 1, 1)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文"
CITIZENS = 1000
SAMPLE = 20_000


def _env() -> dict:
    """The environment of the loader and the server: the bench database, DEBUG off, fixed bench keys."""
    env = {
        **bench_env(),
        "DATABASE_URL": PG_URL,
        "SSCARD_VAR_DIR": os.environ.get("SSCARD_VAR_DIR", "/tmp/sscard-bench-status"),
        "SSCARD_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    return env


def _django() -> None:
    _env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.config.settings")
    import django

    django.setup()


# ---------------------------------------------------------------- data


def id_number(i: int) -> str:
    """Person ``i``'s ID number: valid (18 digits), unique per i (birth day i // 1000, order i % 1000)."""
    from sscard.people.idnumbers import check_digit

    body = f"500103{BIRTH_FROM + dt.timedelta(days=i // 1000):%Y%m%d}{i % 1000:03d}"
    return body + check_digit(body)


def _load_range(args: tuple[int, int]) -> int:
    """Encrypt, hash and COPY persons and cards [start, end) on one connection."""
    start, end = args
    import psycopg

    from sscard.core.crypto import encrypt, lookup_hash, normalise

    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(PG_URL) as conn:
        for lo in range(start, end, CHUNK):
            hi = min(lo + CHUNK, end)
            with conn.cursor() as cur:
                with cur.copy("COPY people_person (id, name, id_type, id_number, id_hash, birth_date, "
                              "gender, ethnicity, nationality, phone, phone_hash, address, fee_exempt, "
                              "created_at, updated_at) FROM STDIN") as copy:
                    for i in range(lo, hi):
                        number = id_number(i)
                        phone = f"139{i:08d}"
                        copy.write_row((
                            i + 1, SURNAMES[i % len(SURNAMES)] + GIVEN[(i // 7) % len(GIVEN)], "id_card",
                            encrypt(normalise(number)), lookup_hash(number, purpose="id"),
                            BIRTH_FROM + dt.timedelta(days=i // 1000), "M" if i % 2 else "F", "汉族", "中国",
                            encrypt(phone), lookup_hash(phone, purpose="phone"),
                            encrypt(f"重庆市渝中区解放碑街道{i % 997 + 1}号"), False, now, now))
                with cur.copy("COPY cards_card (id, card_no, identification_code, person_id, state, "
                              "state_changed_at, origin_channel, made_at, issued_at, activated_at, "
                              "pin_failures) FROM STDIN") as copy:
                    for i in range(lo, hi):
                        copy.write_row((i + 1, f"B{i:08d}", "0" * 32, i + 1, "active", now, "window", now,
                                        now, now, 0))
            conn.commit()
    return end - start


def _key_probe() -> str:
    from sscard.core.crypto import lookup_hash

    return lookup_hash("bench-probe", purpose="id")[:16]


def _loaded(cur, n: int) -> bool:
    cur.execute("SELECT to_regclass('bench_status_meta') IS NOT NULL")
    if not cur.fetchone()[0]:
        return False
    cur.execute("SELECT cards, key_probe FROM bench_status_meta")
    row = cur.fetchone()
    return row is not None and row[0] == n and row[1] == _key_probe()


def _indexes_drop(cur) -> list[str]:
    """Drop the two tables' secondary indexes and their unique / foreign-key constraints; return the DDL
    that rebuilds them."""
    rebuild = []
    for table in TABLES:
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')", [table])
        constraints = cur.fetchall()
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                    "(SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid "
                    "WHERE k.conrelid = %s::regclass)", [table, table])
        indexes = cur.fetchall()
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
            rebuild.append(definition)
    # unique constraints (and their indexes) before the foreign keys that may rest on them
    return sorted(rebuild, key=lambda ddl: "FOREIGN KEY" in ddl)


def load(n: int, *, reload: bool) -> None:
    """The bench database with ``n`` persons and cards (kept between runs)."""
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not reload:
        with psycopg.connect(PG_URL) as conn, conn.cursor() as cur:
            if _loaded(cur, n):
                print(f"database {name}: {n:,} persons and cards already loaded (--reload to load again)")
                _migrate()
                return
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    _migrate()
    from django.db import connection

    connection.close()
    with psycopg.connect(PG_URL, autocommit=True) as conn, conn.cursor() as cur:
        rebuild = _indexes_drop(cur)
    t0 = time.perf_counter()
    workers = os.cpu_count() or 2
    step = max(CHUNK, -(-n // (workers * 8)) // CHUNK * CHUNK)
    ranges = [(lo, min(lo + step, n)) for lo in range(0, n, step)]
    done = 0
    with mp.get_context("fork").Pool(workers) as pool:
        for count in pool.imap_unordered(_load_range, ranges):
            done += count
            rate = done / (time.perf_counter() - t0)
            print(f"\r  loaded {done:,} / {n:,} ({rate:,.0f} persons+cards/s)", end="", flush=True)
    copy_s = time.perf_counter() - t0
    print()
    with psycopg.connect(PG_URL, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        t1 = time.perf_counter()
        for ddl in rebuild:
            cur.execute(ddl)
        index_s = time.perf_counter() - t1
        for table in TABLES:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [n])
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("CREATE TABLE bench_status_meta (cards bigint, key_probe text)")
        cur.execute("INSERT INTO bench_status_meta VALUES (%s, %s)", [n, _key_probe()])
    total = time.perf_counter() - t0
    print(f"load: {n:,} persons+cards, encrypt+hash+COPY {copy_s:.0f} s ({n / copy_s:,.0f}/s on {workers} "
          f"processes), indexes and constraints {index_s:.0f} s, total with VACUUM ANALYZE {total:.0f} s")


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def callers(n: int) -> tuple[str, list[str]]:
    """A clerk at an outlet and ``CITIZENS`` app accounts of random persons: (clerk token, citizen tokens).
    Fresh each run; the access log of earlier runs is emptied."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from sscard.core import clock
    from sscard.staff.models import ApiToken, CitizenAccount, Outlet, StaffMember

    with connection.cursor() as cur:
        # the bench's own access-log rows of an earlier run: the table is append-only (audit migration 0005),
        # so the bench, connected as a superuser to its own database, lifts the guard for this statement
        cur.execute("SET session_replication_role = replica")
        cur.execute("TRUNCATE audit_accesslogentry")
        cur.execute("SET session_replication_role = origin")
    ApiToken.objects.all().delete()
    CitizenAccount.objects.all().delete()
    StaffMember.objects.filter(user__username="bench-clerk").delete()
    get_user_model().objects.filter(username="bench-clerk").delete()
    outlet = Outlet.objects.filter(name="压测网点").first()
    if outlet is None:
        from sscard.testing.factories import make_outlet

        outlet = make_outlet(name="压测网点")
    user = get_user_model().objects.create_user(username="bench-clerk", password=None)
    clerk = StaffMember.objects.create(user=user, role="clerk", outlet=outlet, display_name="压测窗口")
    now = clock.now()
    people = random.Random(7).sample(range(1, n + 1), min(CITIZENS, n))
    accounts = CitizenAccount.objects.bulk_create(
        [CitizenAccount(person_id=p, password_hash="!", created_at=now) for p in people])
    raw = {"clerk": ApiToken.new_raw_token()}
    rows = [ApiToken(token_hash=ApiToken.hash_token(raw["clerk"]), kind="staff", staff=clerk, created_at=now)]
    tokens = []
    for account in accounts:
        t = ApiToken.new_raw_token()
        tokens.append(t)
        rows.append(ApiToken(token_hash=ApiToken.hash_token(t), kind="citizen", citizen=account,
                             created_at=now))
    ApiToken.objects.bulk_create(rows)
    return raw["clerk"], tokens


# ---------------------------------------------------------------- load test

LUA = r"""
local numbers, tokens = {}, {}
for line in io.lines(os.getenv("BENCH_NUMBERS")) do numbers[#numbers + 1] = line end
for line in io.lines(os.getenv("BENCH_TOKENS")) do tokens[#tokens + 1] = line end
local mode = os.getenv("BENCH_MODE")
local path = mode == "bare" and "/bench/bare-lookup" or "/api/v1/cards/status-query"

function setup(thread) thread:set("id", math.random(1, 1000000)) end
function init(args) math.randomseed(os.time() + (id or 0)) end

function request()
  local headers = {["Content-Type"] = "application/json"}
  local body = "{}"
  if mode == "citizen" then
    headers["Authorization"] = "Bearer " .. tokens[math.random(#tokens)]
  else
    if mode == "clerk" then headers["Authorization"] = "Bearer " .. tokens[1] end
    body = '{"applicant": {"doc_type": "id_card", "number": "' .. numbers[math.random(#numbers)] .. '"}}'
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


def wrk(port: int, mode: str, seconds: int, workdir: Path, connections: int) -> dict:
    env = {**os.environ, "BENCH_MODE": mode, "BENCH_NUMBERS": str(workdir / "numbers.txt"),
           "BENCH_TOKENS": str(workdir / ("citizens.txt" if mode == "citizen" else "clerk.txt"))}
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
                          "-s", str(workdir / "status.lua"), f"http://127.0.0.1:{port}"],
                         env=env, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    r = json.loads(line[6:])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def serve(port: int) -> subprocess.Popen:
    env = {**os.environ, **_env(), "DJANGO_SETTINGS_MODULE": "status_settings"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "sscard.config.wsgi:application", "--workers", "2",
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--pythonpath",
         f"{ROOT / 'bench'},{ROOT / 'src'}", "--log-level", "warning", "--timeout", "60"],
        env=env, start_new_session=True)
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/ping", timeout=10).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited") from None
            time.sleep(0.5)
    stop(proc)
    raise RuntimeError("gunicorn did not answer within 180 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def check_answers(port: int, clerk: str, citizen: str, number: str) -> None:
    """One request of each kind answers 200 with the person's card (so the figures measure real answers)."""
    def post(path, body, token=None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers=headers, method="POST")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())

    body = {"applicant": {"doc_type": "id_card", "number": number}}
    assert post("/bench/bare-lookup", body)["cards"], "bare view found no card"
    assert post("/api/v1/cards/status-query", body, clerk)["cards"], "clerk query found no card"
    assert post("/api/v1/cards/status-query", {}, citizen)["cards"], "citizen query found no card"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration of each measurement")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8917)
    parser.add_argument("--reload", action="store_true", help="load the data again even if cached")
    parser.add_argument("--load-only", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    _django()
    load(args.cards, reload=args.reload)
    if args.load_only:
        return
    clerk, citizens = callers(args.cards)
    from django.db import connection

    connection.close()
    workdir = Path(tempfile.mkdtemp(prefix="sscard-bench-status-"))
    rng = random.Random(11)
    numbers = (id_number(rng.randrange(args.cards)) for _ in range(SAMPLE))
    (workdir / "numbers.txt").write_text("\n".join(numbers))
    (workdir / "clerk.txt").write_text(clerk + "\n")
    (workdir / "citizens.txt").write_text("\n".join(citizens) + "\n")
    (workdir / "status.lua").write_text(LUA)
    proc = serve(args.port)
    results: dict[str, list[dict]] = {"bare": [], "clerk": [], "citizen": []}
    try:
        check_answers(args.port, clerk, citizens[0], id_number(0))
        for r in range(args.rounds):
            for mode in results:
                wrk(args.port, mode, args.warmup, workdir, args.connections)
                res = wrk(args.port, mode, args.seconds, workdir, args.connections)
                results[mode].append(res)
                print(f"  round {r + 1} {mode:8s} {res['rps']:8.1f} req/s  "
                      f"p50 {res['p50_us'] / 1000:6.1f} ms  p99 {res['p99_us'] / 1000:6.1f} ms  "
                      f"non-2xx {res['non_2xx']}  errors {res['socket_errors']}", flush=True)
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)
    med = {m: {k: statistics.median(x[k] for x in rs) for k in ("rps", "p50_us", "p99_us")}
           for m, rs in results.items()}
    bad = sum(x["non_2xx"] + x["socket_errors"] for rs in results.values() for x in rs)
    bare = med["bare"]["rps"]
    print(f"\nstatus query at {args.cards:,} cards: gunicorn sync 2 workers, "
          f"wrk {args.connections} connections {args.seconds} s x {args.rounds} rounds (medians); "
          f"{os.cpu_count()} cores")
    print(f"  bare lookup view   {bare:8.1f} req/s  p50 {med['bare']['p50_us'] / 1000:6.1f} ms  "
          f"p99 {med['bare']['p99_us'] / 1000:6.1f} ms")
    for mode, label in (("clerk", "window clerk query"), ("citizen", "app citizen query")):
        m = med[mode]
        ratio = m["rps"] / bare
        p99 = m["p99_us"] / 1000
        print(f"  {label:18s} {m['rps']:8.1f} req/s  p50 {m['p50_us'] / 1000:6.1f} ms  p99 {p99:6.1f} ms  "
              f"floor {bare:.1f} req/s  ratio {ratio:.2f} "
              f"(target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'}; "
              f"p99 <= 40 ms: {'met' if p99 <= 40 else 'NOT met'})")
    if bad:
        print(f"  WARNING: {bad} non-2xx answers or socket errors")


if __name__ == "__main__":
    main()
