"""Support of the schemathesis runs over the API's OpenAPI document (``api/tests/test_openapi_fuzz.py`` in the
suite, ``api/tests/fuzz_nightly.py`` by ``scripts/fuzz_api.sh``): the document as served, the real WSGI
application with the test's database connection kept, the callers and the documentation's examples in the
database, and the checks every response is held to."""

import contextlib

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from sscard.api.root import api
from sscard.api.schemas import EX_HANDLER_ID_NUMBER, EX_ID_NUMBER, EX_USCC
from sscard.testing import factories as f

# Statuses any route may answer that its own list does not repeat: 413 (a body over the size limit) and 429
# (sign-in throttled) belong to the API as a whole.
COMMON_STATUSES = ("413", "429")

# No server error; the status documented, JSON where the document says JSON, the body of its schema; and
# (negative data) a request that breaks the schema is refused.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


def document() -> dict:
    spec = api.get_openapi_schema()
    for operations in spec["paths"].values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in COMMON_STATUSES:
                responses.setdefault(status, responses.get("400", {"description": "错误"}))
    return spec


@contextlib.contextmanager
def wsgi_application():
    """The real WSGI application.  As Django's own test client does, the request signals do not close the
    connection, which holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def callers(outlet) -> dict[str, str]:
    """A window clerk's and an app user's tokens; the documentation's example person (with a card) and
    employer exist, so the examples reach the services' real paths and not only their refusals."""
    person = f.make_person(id_number=EX_ID_NUMBER)
    f.make_card(person, state="active")
    f.make_employer(uscc=EX_USCC, handler=f.make_person(name="赵经办", id_number=EX_HANDLER_ID_NUMBER))
    return {
        "staff": f.token_for(staff=f.make_staff("clerk", outlet)),
        "citizen": f.token_for(citizen=f.make_citizen(person)),
    }
