"""Schemathesis over the API's OpenAPI document, in the suite: every operation with schema-valid (positive)
and schema-breaking (negative) requests, once with a window clerk's token and once with an app user's.  No
response is a server error, and answers keep to the document (``api.tests.fuzzing.CHECKS``).

Bounded: ``SSCARD_FUZZ_EXAMPLES`` examples per operation and mode (10 by default), derandomized, so every run
sends the same requests.  ``SSCARD_FUZZ_RANDOM=1`` lets Hypothesis pick new data each run (and shrink what
fails); the nightly run (``scripts/fuzz_api.sh``) does that with many more examples, and adds schemathesis's
coverage phase (``fuzz_nightly.py``).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from sscard.api.tests import fuzzing as api_fuzz

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SSCARD_FUZZ_EXAMPLES", "10"))
RANDOM = os.environ.get("SSCARD_FUZZ_RANDOM") == "1"


@pytest.fixture
def wsgi_app(settings):
    settings.ALLOWED_HOSTS = ["*"]  # the WSGI client's host name
    with api_fuzz.wsgi_application() as app:
        yield app


def _modes(operation) -> list:
    """Negative data needs something to break: a body or a query (any string is a valid path segment)."""
    if len(operation.body) or len(operation.query):
        return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE]


def _run(operation, mode, token, app) -> None:
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not RANDOM,
                         phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if RANDOM else []),
                         suppress_health_check=list(HealthCheck), print_blob=RANDOM)
    @given(case=operation.as_strategy(generation_mode=mode, headers={"Authorization": f"Bearer {token}"}))
    def run(case):
        case.validate_response(case.call(app=app), checks=api_fuzz.CHECKS)

    run()


@pytest.mark.parametrize("caller", ["staff", "citizen"])
def test_no_operation_answers_generated_requests_with_a_server_error(outlet, wsgi_app, caller):
    token = api_fuzz.callers(outlet)[caller]
    document = api_fuzz.document()
    failures, ran = [], set()
    for result in schemathesis.openapi.from_dict(document).get_all_operations():
        operation = result.ok()
        for mode in _modes(operation):
            try:
                _run(operation, mode, token, wsgi_app)
                ran.add(operation.label)
            except Unsatisfiable:
                pass  # no negative form of these parameters exists; the positive run counts the operation
            except Exception as exc:  # noqa: BLE001 - every operation runs; every failure is reported
                failures.append(f"{operation.label} [{mode.value}]: {str(exc)[:2000]}")
    assert failures == [], "\n\n".join(failures)
    assert len(ran) == sum(len(ops) for ops in document["paths"].values())  # every operation ran
