"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Recipe (../shared/spec/UX.md): the system's ``chromium`` (never ``playwright install``), a fake webcam,
zh-CN and Beijing time.  The live server runs in a thread of this process, so a test can set up data
with the factories and steer the simulated devices directly.  Each test runs with committed data
(``transaction=True``) that is flushed afterwards; the seeded configuration (fee schedule) is restored
(``serialized_rollback``).  Screenshots go to ``var/screenshots/`` (ignored by git): look at them.

Without a ``chromium`` on the PATH the browser tests are deselected with a note, except when
``SSCARD_REQUIRE_BROWSER=1`` (``.ci/run`` sets it), where they fail.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop



class OneRequestAtATime(ThreadedWSGIServer):
    """On SQLite the live server's request threads share the test's one in-memory connection, so two
    requests writing at once (a page's two audited images) fail with "database table is locked": run the
    application for one request at a time (static files still stream in parallel).  PostgreSQL test runs
    keep the threaded server, with a connection per thread."""

    def set_app(self, application):
        lock = threading.Lock()

        def serial(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(serial)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = OneRequestAtATime

SCREENSHOTS = Path(__file__).resolve().parents[5] / "var" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    here = str(Path(__file__).parent)
    keep = [i for i in items if not str(i.path).startswith(here)]
    dropped = [i for i in items if str(i.path).startswith(here)]
    if CHROMIUM or os.environ.get("SSCARD_REQUIRE_BROWSER") == "1":
        # Last of all: pytest groups them by Playwright's session-scoped browser parameter, which put them
        # among the tests of the shared transaction, and their flush at the end left the seeded rows
        # (fee schedule) missing for the tests after them.
        items[:] = keep + dropped
        return
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        config._sscard_browser_note = len(dropped)


def fake_camera_file(folder: Path) -> Path:
    """What the fake webcam films (MJPEG frames): the drawn ID-photo face of ``sscard.testing.photos`` on a
    white background, placed so that the page's centre crop to 358×441 is a photo that passes the photo
    rule (white background, one face, centred), as a real person in front of a white wall would."""
    import io

    from sscard.testing.photos import photo_image

    crop_width = 358 * 480 / 441  # the page crops the 640×480 frame to the photo's aspect, centred
    frame = photo_image(size=(640, 480), faces=((0.5, 0.45, 0.42 * crop_width / 640),))
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=90)
    path = folder / "fake-camera.mjpeg"
    path.write_bytes(buffer.getvalue() * 30)
    return path


_SERIALIZED: dict[str, str] = {}


def _carry_serialized_contents() -> None:
    """Keep ``serialized_rollback`` working once Playwright has started.

    Playwright's sync API leaves its event loop set as the main thread's running loop, and from then on
    asgiref (Django's connection store) keeps the main thread's connections in context-local storage: a
    new connection object, without the contents serialized when the test database was made.  When other
    database tests ran first (the full suite), the browser tests after the first would then start
    without the seeded configuration (the fee schedule).  Carry the serialized contents over to the
    connection the test uses, before pytest-django restores from them (setup) and decides how to flush
    (teardown).
    """
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if hasattr(conn, "_test_serialized_contents"):
            _SERIALIZED.setdefault(conn.alias, conn._test_serialized_contents)
    for alias, contents in _SERIALIZED.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents


def pytest_runtest_setup(item):
    _carry_serialized_contents()


def pytest_runtest_teardown(item):
    _carry_serialized_contents()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, tmp_path_factory):
    if not CHROMIUM:
        pytest.fail("chromium is not installed: apt-get install -y chromium fonts-noto-cjk")
    camera = fake_camera_file(tmp_path_factory.mktemp("camera"))
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--lang=zh-CN", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                     f"--use-file-for-fake-video-capture={camera}"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai",
            "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def site(live_server, page):
    """The live server's address; the test fails on any JavaScript error, and on any script, style, image or
    fetch that does not load (a page itself may answer 4xx: a form shown again with its errors)."""
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document" and \
                not response.request.headers.get("hx-request"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield live_server.url
    assert errors == [], f"JavaScript errors on the page: {errors}"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, site: str, staff, password: str = "demo-pass-123") -> None:
    page.goto(f"{site}/sign-in/")
    page.get_by_label("用户名").fill(staff.user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
