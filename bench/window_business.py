"""Benchmark: a new card application with instant issuance at the window, with its images, through the
real API in a live gunicorn on PostgreSQL, against a floor measured in the same run.

    .venv/bin/python bench/window_business.py                   # 100,000 persons with cards, 50 + 8×10
    .venv/bin/python bench/window_business.py --persons 20000 --sequential 30 --per-window 5

What runs:

1. Its own PostgreSQL database (``$SSCARD_BENCH_PG``, default sscard_bench_window), recreated and
   migrated; a base of ``--persons`` persons, each with an active card (COPY through ``core.bulk``, the
   project's own encryption and lookup hashes), and 8 outlets with a clerk and an API token each.
2. gunicorn (sync workers, ``--workers``, default 8: one per window, so no request queues for a worker)
   serving ``sscard.config.wsgi`` wrapped by ``make_app`` below, with ``SSCARD_DEBUG=0``.  The wrapper
   times each request server side, from the WSGI call to the end of the view's work (middleware, the
   business, its commit and the image files written after it), and returns it in ``X-Bench-Server-Ms``;
   on request (``X-Bench-Count: 1``) it counts the request's SQL statements as Django's
   ``CaptureQueriesContext`` does (BEGIN / SAVEPOINT / COMMIT included) in ``X-Bench-Statements``.
3. ``POST /api/v1/applications`` with a typed applicant, the card photo (358×441 JPEG that passes the
   photo rule, face check included) and the window evidence: two credential images (ID card front and
   back, 1000×630), a scene photo (1280×960) and a signature (600×300), all base64 in the JSON body
   (~0.5 MB).  Every application is a new person; every other one is a person already on file without a
   card (the two roads of the intake).  The simulated printer and card terminal have no delay
   (``slow_down`` is 0): their own work is in the server time.
4. Sequential: ``--sequential`` applications by one clerk.  Then 8 windows at once: 8 clerks at 8
   outlets, each in its own thread, ``--per-window`` applications each.
5. The floor, measured the same ways in the same run: ``POST /bench/floor`` with the same body, a plain
   Django view behind the same middleware that authenticates the same bearer token (one SELECT),
   parses the JSON, decodes the five images from base64, inserts one row (an ``ArchiveItem``) in a
   transaction and writes the five images to the same storage after the commit.  It is the part of the
   request no implementation can skip (receive, decode, store); the ratio is application / floor.

Prints p50 / p95 / max of the server time (and of the client's, which adds HTTP and the queue), the
statements per request, and the ratios.  The first requests of each worker (loading the code, the
cascade, the font) are made before measuring and not counted.
"""

import argparse
import base64
import concurrent.futures as cf
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(os.environ.get("SSCARD_BENCH_SRC", ROOT / "src"))  # another tree's code (e.g. before a change)
sys.path.insert(0, str(SRC))
from _env import bench_env  # noqa: E402  (bench/ is the script folder)

PG_URL = os.environ.get("SSCARD_BENCH_PG", "postgres://postgres@127.0.0.1:5432/sscard_bench_window")
VAR = Path(os.environ.get("SSCARD_BENCH_VAR", "/tmp/sscard-bench-window"))
WINDOWS = 8


def _env() -> dict:
    env = dict(os.environ)
    env.update(bench_env())
    env.update(DATABASE_URL=PG_URL, SSCARD_VAR_DIR=str(VAR))
    return env


def _django() -> None:
    os.environ.update(_env())
    import django

    django.setup()


# ------------------------------------------------------------------------------------------ the server


def make_app():
    """gunicorn's application (``window_business:make_app()``): Django's, timed and optionally counted."""
    _django()
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    settings.ROOT_URLCONF = __name__  # the project's URLs and the floor view (``urlpatterns`` below)
    inner = get_wsgi_application()

    def app(environ, start_response):
        count = environ.get("HTTP_X_BENCH_COUNT") == "1"
        held = {}

        def hold(status, headers, exc_info=None):
            held["args"] = (status, headers, exc_info)
            return lambda data: None  # the handler never writes: it returns its body

        if count:
            connection.force_debug_cursor = True
            connection.queries_log.clear()
        t0 = time.perf_counter()
        body = inner(environ, hold)
        elapsed = (time.perf_counter() - t0) * 1000
        status, headers, exc_info = held["args"]
        headers = list(headers) + [("X-Bench-Server-Ms", f"{elapsed:.3f}")]
        if count:
            headers.append(("X-Bench-Statements", str(len(connection.queries_log))))
            connection.force_debug_cursor = False
        start_response(status, headers, exc_info)
        return body

    return app


def _floor_urls():
    from django.db import transaction
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    from sscard.archive.models import ArchiveItem
    from sscard.archive.services import _write_after_commit
    from sscard.config.urls import urlpatterns as project
    from sscard.core import clock
    from sscard.staff.models import ApiToken

    @csrf_exempt
    def floor(request):
        raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
        token = ApiToken.objects.filter(token_hash=ApiToken.hash_token(raw), revoked=False).first()
        if token is None:
            return JsonResponse({"code": "UNAUTHORIZED"}, status=401)
        body = json.loads(request.body)
        ev = body["evidence"]
        images = [body["photo"], *ev["credential_images"], ev["scene_image"], ev["signature_image"]]
        images = [base64.b64decode(x, validate=True) for x in images]
        with transaction.atomic():
            item = ArchiveItem.objects.create(
                subject_type="bench", subject_id="floor", kind="photo", file="", sha256="",
                original_sha256="", size_bytes=len(images[0]), content_type="image/jpeg", width=358,
                height=441, actor_kind="staff", actor_id=token.staff_id, actor_name="bench",
                actor_role="clerk", created_at=clock.now())
            names = [f"bench-floor/{item.pk}-{i}.jpg" for i in range(len(images))]
            for name, content in zip(names, images):
                transaction.on_commit(lambda n=name, c=content: _write_after_commit(n, c, item.pk))
        return JsonResponse({"id": item.pk}, status=201)

    return [path("bench/floor", floor), *project]


def __getattr__(name):  # ``urlpatterns`` on first use, in the server only (Django is set up there)
    if name == "urlpatterns":
        return _floor_urls()
    raise AttributeError(name)


# ------------------------------------------------------------------------------------------ the data


def _recreate_database() -> None:
    import psycopg

    name = PG_URL.rsplit("/", 1)[1]
    with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _id_number(birth: dt.date, serial: int, area: str) -> str:
    from sscard.testing.factories import id_number_for

    return id_number_for(birth, area=area, serial=serial)


def _numbers(count: int, area: str, offset: int = 0):
    """``count`` distinct valid ID numbers of ``area``: birth day × serial (500 a day)."""
    start = dt.date(1950, 1, 1)
    for i in range(offset, offset + count):
        yield _id_number(start + dt.timedelta(days=i // 500), i % 500, area)


def _load_base(persons: int, on_file: int) -> None:
    """``persons`` persons with an active card each (COPY), ``on_file`` more persons without a card
    (applicants already registered), 8 outlets with a clerk and a token."""
    from django.core.management import call_command
    from django.db import connection

    from sscard.cards.models import Card
    from sscard.core import clock
    from sscard.core.bulk import bulk_insert
    from sscard.people.models import Person

    call_command("migrate", verbosity=0)
    now = clock.now()
    t0 = time.perf_counter()
    chunk = 20_000
    numbers = _numbers(persons + on_file, "500112")
    made = 0
    while made < persons + on_file:
        n = min(chunk, persons + on_file - made)
        rows = []
        for i in range(n):
            p = Person(name=f"居民{made + i:06d}", id_type="id_card", birth_date=dt.date(1970, 1, 1),
                       gender="M", ethnicity="汉族", address="重庆市渝北区龙溪街道8号", created_at=now,
                       updated_at=now)
            p.set_id_number(next(numbers))
            p.set_phone("139%08d" % (made + i))
            rows.append(p)
        bulk_insert(Person, rows, key="id_hash")
        cards = [Card(card_no=f"A{made + i:08d}", identification_code="0" * 32, person_id=p.pk,
                      state="active", state_changed_at=now, origin_channel="window", made_at=now,
                      issued_at=now, activated_at=now)
                 for i, p in enumerate(rows) if made + i < persons]
        bulk_insert(Card, cards, key=None)
        made += n
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    took = time.perf_counter() - t0
    print(f"base: {persons:,} persons with cards + {on_file:,} without, loaded in {took:.1f} s")


def _windows() -> list[str]:
    from sscard.testing import factories as f

    tokens = []
    for w in range(WINDOWS):
        outlet = f.make_outlet(code=f"CQ-BENCH-{w:02d}", name=f"基准网点{w}")
        clerk = f.make_staff("clerk", outlet, username=f"bench_clerk_{w}")
        tokens.append(f.token_for(staff=clerk))
    return tokens


# ------------------------------------------------------------------------------------------ the requests


def _textured_jpeg(width: int, height: int, seed: int) -> bytes:
    """A JPEG with something on it (bands, boxes, text-like strokes): compresses like a real scan."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    image = Image.new("RGB", (width, height), (235, 232, 225))
    draw = ImageDraw.Draw(image)
    for _ in range(60):
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.rectangle((x, y, x + rnd.randrange(20, width // 3), y + rnd.randrange(4, height // 8)),
                       fill=tuple(rnd.randrange(40, 220) for _ in range(3)))
    for _ in range(400):
        x, y = rnd.randrange(width), rnd.randrange(height)
        draw.line((x, y, x + rnd.randrange(-30, 30), y + rnd.randrange(-12, 12)), fill=(30, 30, 30), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Bodies:
    """Request bodies: the same images each time, a new applicant each time."""

    def __init__(self, persons: int, on_file: int) -> None:
        from sscard.testing.photos import photo_bytes

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        credentials = [b64(_textured_jpeg(1000, 630, 1)), b64(_textured_jpeg(1000, 630, 2))]
        self.evidence = {"credential_images": credentials,
                         "scene_image": b64(_textured_jpeg(1280, 960, 3)),
                         "signature_image": b64(_textured_jpeg(600, 300, 4))}
        self.photo = b64(photo_bytes())
        self.on_file = _numbers(on_file, "500112", offset=persons)  # registered, no card yet
        self.new = _numbers(10**6, "500230")  # never seen
        self.turn = 0

    def next(self) -> bytes:
        self.turn += 1
        number = next(self.on_file) if self.turn % 2 == 0 else next(self.new)
        body = {"applicant": {"doc_type": "id_card", "number": number, "name": "王五", "ethnicity": "汉族",
                              "phone": "13900139000", "address": "重庆市渝北区龙溪街道8号"},
                "photo": self.photo, "evidence": self.evidence}
        return json.dumps(body).encode("utf-8")


def _post(port: int, path: str, token: str, body: bytes, *, count: bool = False) -> tuple[float, float, int]:
    """(server ms, client ms, statements or -1)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if count:
        headers["X-Bench-Count"] = "1"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method="POST")
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as resp:
        content = resp.read()
        status = resp.status
        server = float(resp.headers["X-Bench-Server-Ms"])
        statements = int(resp.headers.get("X-Bench-Statements", -1))
    client = (time.perf_counter() - t0) * 1000
    if status != 201:
        raise RuntimeError(f"{path}: {status} {content[:300]!r}")
    return server, client, statements


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _summary(name: str, results: list[tuple[float, float, int]]) -> dict:
    server = [r[0] for r in results]
    client = [r[1] for r in results]
    row = {"name": name, "n": len(results), "p50": statistics.median(server), "p95": _pct(server, 95),
           "max": max(server), "c50": statistics.median(client), "c95": _pct(client, 95)}
    print(f"  {name:<34} n={row['n']:>3}  server p50 {row['p50']:7.1f}  p95 {row['p95']:7.1f}  "
          f"max {row['max']:7.1f} ms   client p50 {row['c50']:7.1f}  p95 {row['c95']:7.1f} ms", flush=True)
    return row


def _sequential(port, path, token, bodies, n):
    return [_post(port, path, token, bodies.next()) for _ in range(n)]


def _concurrent(port, path, tokens, bodies, per_window):
    work = [[bodies.next() for _ in range(per_window)] for _ in tokens]

    def window(i):
        return [_post(port, path, tokens[i], body) for body in work[i]]

    with cf.ThreadPoolExecutor(len(tokens)) as pool:
        return [r for rs in pool.map(window, range(len(tokens))) for r in rs]


def _wait_for(port: int, proc) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--per-window", type=int, default=10)
    parser.add_argument("--workers", type=int, default=WINDOWS)
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    n_total = 2 * args.sequential + 2 * WINDOWS * args.per_window + 20 * args.workers + 20
    on_file = n_total // 2 + 1
    _recreate_database()
    shutil.rmtree(VAR / "media", ignore_errors=True)  # the archive's files of an earlier run
    _django()
    _load_base(args.persons, on_file)
    tokens = _windows()
    bodies = Bodies(args.persons, on_file)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    env = _env()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bench"), str(SRC)])
    proc = subprocess.Popen([str(gunicorn), "window_business:make_app()", "-w", str(args.workers), "-k",
                             "sync", "-b", f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout",
                             "120"], env=env, cwd=str(ROOT))
    try:
        _wait_for(args.port, proc)
        port = args.port
        # warm every worker (code, cascade, font, connection): 2 rounds of one request per worker at once
        for _ in range(2):
            _concurrent(port, "/api/v1/applications", tokens, bodies, 1)
            _concurrent(port, "/bench/floor", tokens, bodies, 1)
        counted = [_post(port, "/api/v1/applications", tokens[0], bodies.next(), count=True)[2]
                   for _ in range(6)]
        floor_counted = _post(port, "/bench/floor", tokens[0], bodies.next(), count=True)[2]
        print(f"statements per application: {sorted(set(counted))} (new person / person on file), "
              f"floor: {floor_counted}")
        print(f"window business on PostgreSQL, gunicorn {args.workers} sync workers, {os.cpu_count()} cores:")
        rows = {
            "seq": _summary("sequential: application",
                            _sequential(port, "/api/v1/applications", tokens[0], bodies, args.sequential)),
            "seq_floor": _summary("sequential: floor", _sequential(port, "/bench/floor", tokens[0], bodies,
                                                                   args.sequential)),
            "conc": _summary(f"{WINDOWS} windows at once: application",
                             _concurrent(port, "/api/v1/applications", tokens, bodies, args.per_window)),
            "conc_floor": _summary(f"{WINDOWS} windows at once: floor",
                                   _concurrent(port, "/bench/floor", tokens, bodies, args.per_window)),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    for kind in ("seq", "conc"):
        app, floor = rows[kind], rows[kind + "_floor"]
        print(f"{'sequential' if kind == 'seq' else f'{WINDOWS} windows'}: p50 {app['p50']:.1f} ms "
              f"(floor {floor['p50']:.1f}, ratio {app['p50'] / floor['p50']:.1f}x), p95 {app['p95']:.1f} ms "
              f"(floor {floor['p95']:.1f}, ratio {app['p95'] / floor['p95']:.1f}x); target p95 <= 150 ms: "
              f"{'met' if app['p95'] <= 150 else 'NOT met'}")
    print(f"statements: {max(counted)} (target <= 20: {'met' if max(counted) <= 20 else 'NOT met'})")


if __name__ == "__main__":
    main()
