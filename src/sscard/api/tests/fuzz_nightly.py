"""The nightly schemathesis run (``scripts/fuzz_api.sh``; not collected by the suite, its name is not
``test_*.py``): schemathesis's own pytest integration with its examples, coverage (every boundary and
schema-breaking case the document defines) and fuzzing phases, positive and negative data, a window clerk
and an app user, ``SSCARD_FUZZ_EXAMPLES`` fuzzed examples per operation (100 by default).  Each operation is
one test item, so a report names what failed."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from sscard.api.tests import fuzzing as api_fuzz

pytestmark = pytest.mark.django_db

CONFIG = schemathesis.Config.from_dict({
    "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True},
               "stateful": {"enabled": False}},
    "generation": {"mode": "all", "max-examples": int(os.environ.get("SSCARD_FUZZ_EXAMPLES", "100"))},
})
schema = schemathesis.openapi.from_dict(api_fuzz.document(), config=CONFIG)


@pytest.fixture(params=["staff", "citizen"])
def token(request, outlet):
    return api_fuzz.callers(outlet)[request.param]


@pytest.fixture
def wsgi_app(settings):
    settings.ALLOWED_HOSTS = ["*"]
    with api_fuzz.wsgi_application() as app:
        yield app


@schema.parametrize()
@hypothesis_settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api(case, token, wsgi_app):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    case.validate_response(case.call(app=wsgi_app), checks=api_fuzz.CHECKS)
