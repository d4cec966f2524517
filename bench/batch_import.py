"""Benchmark: an employer batch of N rows (default 100,000) with its scans (a photo and both ID-card sides
per person), submitted over HTTP and imported by 2 task workers on PostgreSQL, against the floor of the
work the procedure requires, measured in the same run on both cores.

    .venv/bin/python bench/batch_import.py                 # 100,000 rows, PostgreSQL ($SSCARD_BENCH_PG)
    .venv/bin/python bench/batch_import.py --rows 20000 --workers 2

What is measured (each step in its own processes, on a fresh database):

* submission: a gunicorn sync worker serves the app; a client streams the multipart upload (the sheet,
  the 1 GB scans zip, the meta) to ``POST /api/v1/batches`` from the files on disk.  Printed: the time from
  the last byte sent to the 202 (what the request does once it has the upload: store it, record the
  batch), the whole request with its upload, and the gunicorn worker's peak RSS (``VmHWM``).
* import: ``manage.py db_worker`` × ``--workers`` take the tasks the submission queued (the structural
  checks, then the parts); from the 202 to the batch ``validated``.  Printed beside it: end to end, from
  the first byte of the upload.
* floor: the same rows, split over 2 processes running at once (both cores): read the sheet with
  python-calamine, read each photo from the zip and decode it at 1/8 scale (libjpeg's cheapest, which is
  what the white-background check needs), HMAC the ID number and encrypt ID number, phone, address and the
  row (``core.crypto``), COPY the rows into a plain table.  The floor is the longer of the two.

The photo's face check (``SSCARD_BATCH_PHOTO_FACES``, ~7 ms of one core a photo) is not in the floor and
is off for the import (``--faces`` turns it on).  Files are generated once into ``$SSCARD_BENCH_DIR``
(default /tmp/sscard-bench) and reused.
"""

import argparse
import http.client
import json
import mmap
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from _env import bench_env  # noqa: E402  (bench/ is the script folder)

BENCH_DIR = Path(os.environ.get("SSCARD_BENCH_DIR", "/tmp/sscard-bench"))
PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench")
PORT = int(os.environ.get("SSCARD_BENCH_PORT", "18765"))


def _env(var_dir: Path, *, faces: bool) -> dict:
    env = dict(os.environ)
    env.update(bench_env())
    env.update({"SSCARD_VAR_DIR": str(var_dir), "DATABASE_URL": PG_URL, "PYTHONPATH": str(ROOT / "src"),
                "SSCARD_BATCH_PHOTO_FACES": "1" if faces else "0"})
    return env


def _django() -> None:
    import django

    django.setup()


def generate(rows: int) -> tuple[Path, Path]:
    """The sheet and the scans zip for ``rows`` adults (cached by row count)."""
    book, scans = BENCH_DIR / f"sheet-{rows}.xlsx", BENCH_DIR / f"scans-{rows}.zip"
    if book.exists() and scans.exists():
        return book, scans
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("SSCARD_VAR_DIR", tempfile.mkdtemp())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.config.settings")
    _django()
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


# -- setup -------------------------------------------------------------------------------------------

def setup() -> dict:
    """Migrate the fresh database; an outlet, a clerk with an API token, an employer and its handler."""
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sscard.testing import factories as f

    outlet = f.make_outlet(has_digital_archive=False, has_signature_pad=False)
    token = f.token_for(staff=f.make_staff("clerk", outlet))
    employer, handler = f.make_employer()
    return {"token": token, "meta": {"business": "batch_apply", "employer_uscc": employer.uscc,
                                     "handler": {"doc_type": "id_card", "number": handler.id_number},
                                     "evidence": {"paper_archive_ref": "BENCH-1"}}}


# -- floor -------------------------------------------------------------------------------------------

def _floor_part(book: str, scans: str, part: int, parts: int) -> float:
    """One process's share of the floor: calamine read, photo decode at 1/8, HMAC + encrypt, COPY."""
    _django()
    import psycopg
    from PIL import Image
    from python_calamine import CalamineWorkbook

    from sscard.core import crypto

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(book).get_sheet_by_index(0).to_python()[1:]
    rows = rows[part::parts]
    with open(scans, "rb") as fh, zipfile.ZipFile(fh) as zf:
        where = {i.filename: i for i in zf.infolist()}
        view = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        out = []
        for r in rows:
            number = str(r[3])
            info = where[f"{number}.jpg"]
            at = info.header_offset
            name_len, extra_len = int.from_bytes(view[at + 26:at + 28], "little"), int.from_bytes(
                view[at + 28:at + 30], "little")
            body = at + 30 + name_len + extra_len
            photo = view[body:body + info.compress_size]
            small = Image.frombytes("RGB", ((358 + 7) // 8, (441 + 7) // 8), photo, "jpeg", "RGB", "", 8, 0)
            small.resize((1, 1), Image.Resampling.BOX)
            values = [str(v) for v in r]
            out.append((crypto.lookup_hash(number, purpose="id"), crypto.encrypt(number),
                        crypto.encrypt(values[9]), crypto.encrypt(values[10]),
                        crypto.encrypt(json.dumps(values, ensure_ascii=False)), values[1]))
        view.close()
    with psycopg.connect(PG_URL) as conn, conn.cursor() as cur:
        sql = "COPY bench_floor (id_hash, id_enc, phone_enc, address_enc, data_enc, name) FROM STDIN"
        with cur.copy(sql) as cp:
            for row in out:
                cp.write_row(row)
    return time.perf_counter() - start


def floor(book: Path, scans: Path, parts: int = 2) -> tuple[float, list[float]]:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_floor")
        conn.execute("CREATE TABLE bench_floor (id_hash text, id_enc text, phone_enc text, address_enc text,"
                     " data_enc text, name text)")
    with ProcessPoolExecutor(parts) as pool:
        list(pool.map(_warm, range(parts)))  # interpreters and Django loaded before the clock starts
        start = time.perf_counter()
        each = list(pool.map(_floor_part, [str(book)] * parts, [str(scans)] * parts, range(parts),
                             [parts] * parts))
        wall = time.perf_counter() - start
    return wall, each


def _warm(_):
    _django()
    import psycopg  # noqa: F401
    from PIL import Image  # noqa: F401
    from python_calamine import CalamineWorkbook  # noqa: F401


# -- submission over HTTP ----------------------------------------------------------------------------

def _post_streaming(token: str, meta: dict, book: Path, scans: Path) -> dict:
    """POST the multipart upload, streaming the files from disk; times and the response."""
    boundary = uuid.uuid4().hex
    parts = []
    def head(name, filename=None, ctype=None):
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        lines = [f"--{boundary}", f"Content-Disposition: {disp}"]
        lines += [f"Content-Type: {ctype}"] if ctype else []
        return ("\r\n".join(lines) + "\r\n\r\n").encode()
    parts.append(head("meta") + json.dumps(meta, ensure_ascii=False).encode() + b"\r\n")
    parts.append((head("workbook", "sheet.xlsx", "application/octet-stream"), book))
    parts.append(b"\r\n")
    parts.append((head("scans", "scans.zip", "application/zip"), scans))
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    length = sum(len(p) if isinstance(p, bytes) else len(p[0]) + p[1].stat().st_size for p in parts)
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    start = time.perf_counter()
    conn.putrequest("POST", "/api/v1/batches")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(length))
    conn.putheader("Authorization", f"Bearer {token}")
    conn.endheaders()
    for p in parts:
        if isinstance(p, bytes):
            conn.send(p)
            continue
        conn.send(p[0])
        with open(p[1], "rb") as fh:
            while chunk := fh.read(1024 * 1024):
                conn.send(chunk)
    sent = time.perf_counter()
    resp = conn.getresponse()
    body = resp.read()
    answered = time.perf_counter()
    conn.close()
    return {"status": resp.status, "body": json.loads(body), "start": start, "sent": sent,
            "answered": answered, "bytes": length}


def _worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _wait_for_port(proc) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _batch_state(batch_no: str):
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        return conn.execute("SELECT status, total_rows, processed_rows, accepted_rows, refused_rows,"
                            " failure_code, failure FROM batches_batch WHERE batch_no = %s",
                            [batch_no]).fetchone()


def _pg_database(action: str) -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    base = PG_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')


def run(rows: int, workers: int, faces: bool) -> dict:
    book, scans = BENCH_DIR / f"sheet-{rows}.xlsx", BENCH_DIR / f"scans-{rows}.zip"
    var = Path(tempfile.mkdtemp(prefix="sscard-bench-batch-"))
    env = _env(var, faces=faces)
    py = sys.executable
    _pg_database("create")
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}

    def step(*argv):
        out = subprocess.run([py, __file__, "--step", *argv], env=env, check=True, capture_output=True,
                             text=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    made = step("setup")
    fl = step("floor", "--rows", str(rows))
    gunicorn = subprocess.Popen([py, "-m", "gunicorn", "sscard.config.wsgi", "-w", "1",
                                 "-b", f"127.0.0.1:{PORT}", "--timeout", "600"], env=env, cwd=ROOT, **quiet)
    pool = []
    try:
        _wait_for_port(gunicorn)
        for i in range(workers):
            pool.append(subprocess.Popen([py, "manage.py", "db_worker", "--interval", "0.2",
                                          "--no-startup-delay", "--worker-id", f"bench-{i}"],
                                         env=env, cwd=ROOT, **quiet))
        time.sleep(2)  # the workers are up and polling
        web = _worker_pids(gunicorn.pid)
        rss_before = max(_vm_hwm_mb(p) for p in web)
        sub = _post_streaming(made["token"], made["meta"], book, scans)
        rss_after = max(_vm_hwm_mb(p) for p in web)
        if sub["status"] != 202:
            raise SystemExit(f"submission answered {sub['status']}: {sub['body']}")
        batch_no = sub["body"]["batch_no"]
        while True:
            state = _batch_state(batch_no)
            if state[0] in ("validated", "failed"):
                break
            if any(p.poll() is not None for p in pool):
                raise SystemExit("a task worker died")
            time.sleep(0.1)
        done = time.perf_counter()
    finally:
        for p in pool:
            p.terminate()
        gunicorn.terminate()
        for p in [*pool, gunicorn]:
            p.wait(timeout=30)
    _pg_database("drop")
    imported = done - sub["answered"]
    return {"rows": rows, "workers": workers, "faces": faces, "status": state[0], "accepted": state[3],
            "refused": state[4], "failure": state[5] or "", "upload_mb": round(sub["bytes"] / 2**20),
            "answer_after_upload_s": round(sub["answered"] - sub["sent"], 2),
            "request_s": round(sub["answered"] - sub["start"], 2),
            "web_rss_idle_mb": round(rss_before), "web_rss_peak_mb": round(rss_after),
            "import_s": round(imported, 2), "end_to_end_s": round(done - sub["start"], 2),
            "floor_s": round(fl["wall"], 2), "floor_parts_s": [round(x, 2) for x in fl["each"]],
            "ratio": round(imported / fl["wall"], 2),
            "ratio_end_to_end": round((done - sub["start"]) / fl["wall"], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="task workers (manage.py db_worker)")
    parser.add_argument("--faces", action="store_true", help="check the photos' faces too (not in the floor)")
    parser.add_argument("--step", choices=("setup", "floor"))
    args = parser.parse_args()
    if args.step == "setup":
        print(json.dumps(setup()))
        return
    if args.step == "floor":
        book, scans = BENCH_DIR / f"sheet-{args.rows}.xlsx", BENCH_DIR / f"scans-{args.rows}.zip"
        wall, each = floor(book, scans)
        print(json.dumps({"wall": wall, "each": each}))
        return
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r});"
                    f"import batch_import as b; b.generate({args.rows})"], check=True)
    print(f"files for {args.rows:,} rows ready in {time.perf_counter() - t:.1f} s ({BENCH_DIR})")
    r = run(args.rows, args.workers, args.faces)
    print(json.dumps(r))
    print(f"rows {r['rows']:,} ({r['accepted']:,} accepted, {r['refused']:,} refused; {r['status']}"
          f"{' ' + r['failure'] if r['failure'] else ''}), upload {r['upload_mb']:,} MB, "
          f"{r['workers']} task workers, faces {'on' if r['faces'] else 'off'}")
    print(f"submission: 202 {r['answer_after_upload_s']} s after the last byte of the upload "
          f"(whole request with its upload {r['request_s']} s); "
          f"web worker peak RSS {r['web_rss_peak_mb']} MB "
          f"(idle {r['web_rss_idle_mb']} MB)")
    print(f"import (202 -> validated): {r['import_s']} s; floor (2 processes at once): {r['floor_s']} s "
          f"{r['floor_parts_s']}; ratio {r['ratio']}x")
    print(f"end to end (first byte of the upload -> validated): {r['end_to_end_s']} s; "
          f"ratio {r['ratio_end_to_end']}x")
    print("targets: 202 within 2 s, web process under 200 MB, import within 2x the floor")


if __name__ == "__main__":
    main()
