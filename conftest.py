import pytest

from sscard.core import clock
from sscard.testing import factories as f


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
