"""Load test: window applications, status queries and a batch upload at once, against two gunicorn app
processes and two task workers on PostgreSQL (locust, headless, bounded; 127.0.0.1 only).

    .venv/bin/pip install locust            # not a project dependency
    .venv/bin/python bench/load_mix.py      # 40 s without the batch, then 40 s with it
    .venv/bin/python bench/load_mix.py --seconds 60 --users 12 --rows 2000

Phase 1 runs the window and status-query users alone; phase 2 the same users while one handler uploads
an employer batch of ``--rows`` rows and the task workers validate it.  It prints each phase's p50/p95
per request type and the window's p95 against its budget (150 ms), and whether the batch finished.
Own database ``$SSCARD_BENCH_PG`` (default sscard_bench_load), recreated each run.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from _env import bench_env  # noqa: E402  (bench/ is the script folder)

PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench_load")
WINDOW_BUDGET_MS = 150
PY = sys.executable


def _env(var_dir: Path) -> dict:
    return {**os.environ, **bench_env(), "DATABASE_URL": PG_URL, "SSCARD_VAR_DIR": str(var_dir),
            "PYTHONPATH": str(ROOT / "src")}


def _prepare(var_dir: Path, rows: int, cards: int) -> Path:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ.update(_env(var_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sscard.testing import batch_files as bf
    from sscard.testing import factories as f
    from sscard.testing.batch_flow import adults
    from sscard.testing.desk import apply_body

    outlets = [f.make_outlet() for _ in range(8)]
    clerk_tokens = [f.token_for(staff=f.make_staff("clerk", o)) for o in outlets]
    import datetime as dt

    persons = [f.make_person(name=f"压测{i:05d}", birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=i))
               for i in range(cards)]
    for p in persons:
        f.make_card(p, state="active")
    citizen_tokens = [f.token_for(citizen=f.make_citizen(p)) for p in persons[:50]]
    emp, handler = f.make_employer()
    batch_rows = adults(rows)
    (var_dir / "b.xlsx").write_bytes(bf.workbook("new_card", batch_rows))
    (var_dir / "s.zip").write_bytes(bf.scans_for(batch_rows))
    template = apply_body()
    fresh = [f.id_number_for(dt.date(1950, 1, 1) + dt.timedelta(days=i), serial=7) for i in range(5000)]
    data = {
        "clerk_tokens": clerk_tokens[1:], "query_clerk_token": clerk_tokens[0], "batch_clerk_token": clerk_tokens[0],
        "citizen_tokens": citizen_tokens, "card_numbers": [p.id_number for p in persons],
        "apply_template": template, "fresh_numbers": fresh,
        "batch_meta": {"business": "batch_apply", "employer_uscc": emp.uscc, "evidence": f.window_evidence(),
                       "handler": {"doc_type": "id_card", "number": handler.id_number}},
        "workbook": str(var_dir / "b.xlsx"), "scans": str(var_dir / "s.zip"),
    }
    path = var_dir / "load-data.json"
    path.write_text(json.dumps(data))
    return path


def _start(var_dir: Path, port: int) -> list[subprocess.Popen]:
    env = _env(var_dir)
    log = open(var_dir / "servers.log", "w")
    procs = [subprocess.Popen([PY, "-m", "gunicorn", "sscard.config.wsgi:application", "-w", "2", "-b",
                               f"127.0.0.1:{port + i}", "--timeout", "120"], cwd=ROOT, env=env,
                              stdout=log, stderr=log) for i in range(2)]
    procs += [subprocess.Popen([PY, "manage.py", "db_worker", "--no-reload", "--interval", "0.5",
                                "--worker-id", f"load-{i}"], cwd=ROOT, env=env, stdout=log, stderr=log)
              for i in range(2)]
    deadline = time.time() + 90
    for i in range(2):
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port + i}/sign-in/", timeout=5)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
    return procs


def _phase(data: Path, port: int, users: int, seconds: int, batch: bool, out: Path) -> dict:
    env = {**os.environ, "SSCARD_LOAD_DATA": str(data), "SSCARD_LOAD_BATCH": "1" if batch else "0"}
    # Two app nodes: half of the users on each (two locust runs at once, one per node).
    runs = []
    for i in range(2):
        prefix = out / f"{'batch' if batch else 'base'}-{i}"
        classes = ["WindowClerk", "StatusQuery"] + (["BatchHandler"] if batch and i == 0 else [])
        runs.append((prefix, subprocess.Popen(
            [PY, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile_mix.py"), "--headless", "-u",
             str(users // 2 + (1 if batch and i == 0 else 0)), "-r", str(users), "-t", f"{seconds}s",
             "--host", f"http://127.0.0.1:{port + i}", "--csv", str(prefix), "--only-summary", *classes],
            env={**env, "SSCARD_LOAD_SHARD": str(i + (2 if batch else 0))},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
    stats: dict[str, dict] = {}
    for prefix, proc in runs:
        proc.wait(timeout=seconds + 120)
        with open(f"{prefix}_stats.csv") as fh:
            for row in csv.DictReader(fh):
                if row["Name"] == "Aggregated":
                    continue
                s = stats.setdefault(row["Name"], {"n": 0, "fail": 0, "p50": [], "p95": []})
                s["n"] += int(row["Request Count"])
                s["fail"] += int(row["Failure Count"])
                s["p50"].append(float(row["50%"]))
                s["p95"].append(float(row["95%"]))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--port", type=int, default=18400)
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="sscard-load-"))
    data = _prepare(var_dir, args.rows, args.cards)
    procs = _start(var_dir, args.port)
    try:
        results = {}
        for batch in (False, True):
            results[batch] = _phase(data, args.port, args.users, args.seconds, batch, var_dir)
        from sscard.batches.models import Batch

        batch_state = list(Batch.objects.values_list("batch_no", "status"))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    print(f"{args.users} users on 2 app nodes (gunicorn -w 2 each) + 2 task workers, {args.seconds} s a phase")
    print("| phase | request | count | failures | p50 (ms) | p95 (ms) |")
    print("|---|---|---|---|---|---|")
    for batch, stats in results.items():
        for name, s in sorted(stats.items()):
            print(f"| {'with batch' if batch else 'no batch'} | {name} | {s['n']} | {s['fail']} | "
                  f"{max(s['p50']):.0f} | {max(s['p95']):.0f} |")
    for batch, stats in results.items():
        w = stats.get("window: new application")
        if w:
            p95 = max(w["p95"])
            print(f"window p95 {'with' if batch else 'without'} the batch: {p95:.0f} ms "
                  f"(budget {WINDOW_BUDGET_MS} ms: {'met' if p95 <= WINDOW_BUDGET_MS else 'NOT met'})")
    print(f"batches: {batch_state}")


if __name__ == "__main__":
    main()
