import pytest

from sscard.core import clock
from sscard.testing import factories as f

# Shared fixtures, one plugin module per area (pytest reads pytest_plugins only in this root conftest).
# Tests request these fixtures by name; plain helpers are imported by name from sscard.testing.<area>.
pytest_plugins = [
    "sscard.testing.fixtures.audit",
    "sscard.testing.fixtures.cards",
    "sscard.testing.fixtures.desk",
    "sscard.testing.fixtures.employers",
    "sscard.testing.fixtures.signin",
]


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SSCARD_EXCHANGE_DIR = tmp_path / "exchange"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Staff and app passwords use PBKDF2 in production; tests only need them to round-trip."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def outlet(db):
    return f.make_outlet()


@pytest.fixture
def clerk(outlet):
    return f.make_staff("clerk", outlet)


@pytest.fixture
def clerk_api(clerk):
    return f.ApiClient(f.token_for(staff=clerk))


@pytest.fixture
def kiosk(outlet):
    return f.make_kiosk(outlet)


@pytest.fixture
def kiosk_api(kiosk):
    return f.ApiClient(f.token_for(kiosk=kiosk))


@pytest.fixture
def adult(db):
    return f.make_person()


@pytest.fixture
def minor(db):
    return f.make_person(birth_date=f.minor_birth(), name="张小明")


@pytest.fixture
def citizen(adult):
    return f.make_citizen(adult)


@pytest.fixture
def citizen_api(citizen):
    return f.ApiClient(f.token_for(citizen=citizen))


@pytest.fixture
def staff_api(db):
    """Make an API client for a staff member of any role: ``staff_api("reviewer")``."""

    def make(role: str, outlet=None):
        return f.ApiClient(f.token_for(staff=f.make_staff(role, outlet)))

    return make


def pytest_collection_modifyitems(config, items):
    """Race tests (marker ``postgres``) need real row locks: they run in the PostgreSQL pass of
    ``.ci/run`` and are deselected, with a note, on SQLite."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        config._sscard_pg_note = len(dropped)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    n = getattr(config, "_sscard_pg_note", 0)
    if n:
        terminalreporter.write_line(f"{n} PostgreSQL race tests deselected on SQLite; .ci/run runs them on PostgreSQL")
    n = getattr(config, "_sscard_browser_note", 0)
    if n:
        terminalreporter.write_line(f"{n} BROWSER TESTS DESELECTED: no chromium on this machine "
                                    "(apt-get install -y chromium fonts-noto-cjk; .ci/run installs them)")


@pytest.fixture(autouse=True)
def _fast_pin_hash_and_fresh_devices(settings):
    """Cheap argon2 cost in tests; simulated devices start each test with no card, fault or typed PIN."""
    from sscard.hardware import drivers, simulated

    settings.SSCARD_PIN_HASH_PARAMS = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
    simulated.reset_simulators()
    drivers.reset_drivers()
    yield
    simulated.reset_simulators()
    drivers.reset_drivers()


@pytest.fixture(autouse=True)
def _tasks_run_immediately(settings):
    """Background tasks run in-process when enqueued (after commit), so tests see their outcome."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
