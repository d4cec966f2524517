"""Benchmark: import an employer batch of N rows (default 100,000) with its scans, on SQLite and on
PostgreSQL, against the raw floor measured in the same run on the same rows.

    .venv/bin/python bench/batch_import.py                 # 100,000 rows, SQLite and PostgreSQL
    .venv/bin/python bench/batch_import.py --rows 10000 --db sqlite

The import is what a window's submission costs end to end: ``batch_submit`` (structural checks of the
sheet and the zip, storage) + ``batch_validate`` (every row: identity, age rules, duplicates in the file
and against the database, scans present and readable, photo format/size/background, persons created,
applications and rows written, encrypted).  The floor is python-calamine reading the same sheet plus a
bulk insert of its rows as text into a plain table, in the same database.  Each database runs in its own
process (fresh schema) so peak memory (ru_maxrss) is the import's own.  Beside the floor it prints the CPU
that decoding the rows' photos for their white border takes alone: work no tuning of ours removes.  Files are generated once into
``$SSCARD_BENCH_DIR`` (default /tmp/sscard-bench) and reused.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BENCH_DIR = Path(os.environ.get("SSCARD_BENCH_DIR", "/tmp/sscard-bench"))
PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench")


def _django(var_dir: Path, database_url: str | None) -> None:
    os.environ["SSCARD_VAR_DIR"] = str(var_dir)
    # As in production: DEBUG off (no query log, plain cursors), which needs a secret key of its own.
    os.environ["SSCARD_DEBUG"] = "0"
    os.environ.setdefault("SSCARD_SECRET_KEY", "bench-" + os.urandom(24).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.config.settings")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def generate(rows: int) -> tuple[Path, Path]:
    """The sheet and the scans zip for ``rows`` adults (cached by row count)."""
    book, scans = BENCH_DIR / f"sheet-{rows}.xlsx", BENCH_DIR / f"scans-{rows}.zip"
    if book.exists() and scans.exists():
        return book, scans
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    _django(Path(tempfile.mkdtemp()), None)
    from sscard.testing import batch_files as bf
    from sscard.testing.factories import jpeg_bytes

    data = [bf.person_row(name=f"测试{i:06d}", seq=str(i + 1)) for i in range(rows)]
    book.write_bytes(bf.workbook("new_card", data))
    photo, side = bf.photo(), jpeg_bytes(96, 60, color=(230, 230, 230))
    with zipfile.ZipFile(scans, "w", zipfile.ZIP_STORED) as zf:
        for row in data:
            n = row["doc_number"]
            zf.writestr(f"{n}.jpg", photo)
            zf.writestr(f"{n}_正面.jpg", side)
            zf.writestr(f"{n}_反面.jpg", side)
    return book, scans


def _floor(book: Path) -> float:
    """calamine read of the sheet + bulk insert of its rows as text (same rows, same database)."""
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    wb = CalamineWorkbook.from_path(str(book))
    data = wb.get_sheet_by_index(0).to_python()[1:]
    width = len(data[0])
    with connection.cursor() as cur:
        cols = ", ".join(f"c{i} text" for i in range(width))
        cur.execute(f"CREATE TABLE bench_floor ({cols})")
    marks = ", ".join(["%s"] * width)
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(f"INSERT INTO bench_floor VALUES ({marks})", [[str(v) for v in r] for r in data])
    return time.perf_counter() - start


def _photo_decode(rows: int) -> float:
    """CPU seconds of the white-border decode alone (libjpeg, 1/8 scale) for every row's photo: the part of
    the import that no amount of Python tuning removes, shown beside the floor."""
    from sscard.archive.photo import _small_rgb
    from sscard.testing import batch_files as bf

    photo = bf.photo()  # every generated row carries this photo
    start = time.process_time()
    for _ in range(rows):
        _small_rgb(photo, 358, 441)
    return time.process_time() - start


def worker(db: str, rows: int) -> dict:
    book, scans = generate(rows)
    var = Path(tempfile.mkdtemp(prefix=f"sscard-bench-{db}-"))
    _django(var, PG_URL if db == "postgres" else None)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sscard.batches.models import Batch
    from sscard.batches.services import BatchFiles, BatchSubmission, batch_submit
    from sscard.batches.validation import batch_validate
    from sscard.desk.intake import DocInput, EvidenceInput
    from sscard.staff.actors import Actor
    from sscard.testing import factories as f

    outlet = f.make_outlet(has_digital_archive=False, has_signature_pad=False)
    actor = Actor.for_staff(f.make_staff("clerk", outlet))
    employer, handler = f.make_employer()
    floor = _floor(book)
    photos = _photo_decode(rows)
    sub = BatchSubmission(business="batch_apply", employer_uscc=employer.uscc,
                          handler=DocInput("id_card", handler.id_number), route="file",
                          files=BatchFiles(workbook=book.read_bytes(), scans=scans),
                          evidence=EvidenceInput(paper_archive_ref="BENCH-1"))
    start = time.perf_counter()
    batch = batch_submit(actor=actor, submission=sub)
    submitted = time.perf_counter() - start
    batch_validate(batch_no=batch.batch_no)
    total = time.perf_counter() - start
    batch = Batch.objects.get(pk=batch.pk)
    return {"db": db, "rows": rows, "accepted": batch.accepted_rows, "refused": batch.refused_rows,
            "submit_s": round(submitted, 2), "import_s": round(total, 2), "floor_s": round(floor, 2),
            "rows_per_s": round(rows / total), "ratio": round(total / floor, 2), "photo_decode_s": round(photos, 2),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _pg_database(action: str) -> None:
    name = PG_URL.rsplit("/", 1)[1]
    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--worker", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.rows)))
        return
    t = time.perf_counter()
    generate_cmd = [sys.executable, "-c", f"import sys; sys.argv=['x']; sys.path.insert(0, {str(ROOT / 'bench')!r});"
                    f"import batch_import as b; b.generate({args.rows})"]
    subprocess.run(generate_cmd, check=True)
    print(f"files for {args.rows:,} rows ready in {time.perf_counter() - t:.1f} s ({BENCH_DIR})")
    dbs = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    print(f"{'db':<10}{'rows':>9}{'accepted':>10}{'submit s':>10}{'import s':>10}{'rows/s':>9}{'floor s':>9}"
          f"{'ratio':>7}{'photos s':>10}{'peak MB':>9}")
    for db in dbs:
        if db == "postgres":
            _pg_database("create")
        out = subprocess.run([sys.executable, __file__, "--worker", db, "--rows", str(args.rows)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:])
            raise SystemExit(f"{db} worker failed")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['db']:<10}{r['rows']:>9,}{r['accepted']:>10,}{r['submit_s']:>10}{r['import_s']:>10}"
              f"{r['rows_per_s']:>9,}{r['floor_s']:>9}{r['ratio']:>7}{r['photo_decode_s']:>10}{r['peak_mb']:>9,}")
        if db == "postgres":
            _pg_database("drop")
    print("import s: submission (structural checks of both files) + validation of every row, end to end;")
    print("photos s: CPU of the photos' white-border decode alone (libjpeg at 1/8 scale), measured apart")
    print("targets: import within 3x the floor, under 60 s on PostgreSQL, peak memory under 1 GB")


if __name__ == "__main__":
    main()
