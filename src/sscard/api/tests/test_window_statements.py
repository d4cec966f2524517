"""The statement budget of a window business (issue #10): a new application with instant issuance, with
its photo and evidence images, through the API, makes at most 20 SQL statements (BEGIN, SAVEPOINT and
COMMIT included, as Django's ``CaptureQueriesContext`` counts them), on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sscard.audit.models import AuditEvent
from sscard.testing import factories as f
from sscard.testing.desk import apply_body, req_of

pytestmark = pytest.mark.django_db
BUDGET = 20
EVENTS = ["PERSON_CREATED", "EVIDENCE_ARCHIVED", "EVIDENCE_ARCHIVED", "EVIDENCE_ARCHIVED", "EVIDENCE_ARCHIVED",
          "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_SUBMITTED"]


def _apply(clerk_api, **body):
    clerk_api.post("/applications", apply_body(name="赵六"))  # first request of the process: warm caches
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with CaptureQueriesContext(connection) as ctx:
        resp = clerk_api.post("/applications", apply_body(**body))
    req = req_of(resp)
    assert (req.status, req.production_mode) == ("completed", "instant")
    events = list(AuditEvent.objects.filter(seq__gt=seq).values_list("event_type", flat=True))
    return len(ctx.captured_queries), events, "\n".join(q["sql"][:120] for q in ctx.captured_queries)


def test_a_new_person_applies_with_instant_issuance_within_the_statement_budget(clerk_api):
    count, events, sql = _apply(clerk_api)
    assert count <= BUDGET, sql
    assert events == EVENTS


def test_a_person_on_file_applies_with_instant_issuance_within_the_statement_budget(clerk_api):
    person = f.make_person(name="钱七")
    count, events, sql = _apply(clerk_api, number=person.id_number, name="钱七")
    assert count <= BUDGET, sql
    assert events == EVENTS[1:]
