"""audit.access and the access-log search: one INSERT per look, outside any transaction or lock, append-only,
searchable by whose data, by whom, by operation and by time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sscard.audit.access import access_record
from sscard.audit.models import AccessLogEntry, AuditEvent, AuditPending
from sscard.audit.selectors import AccessQuery, access_log_search
from sscard.core import clock, context
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db

CLERK = Actor(kind="staff", role="clerk", name="窗口甲", channel="window", outlet_id=7, staff_id=11,
              user_id=3)
CITIZEN = Actor(kind="citizen", role="citizen", name="APP用户#5", channel="app", citizen_id=5, person_id=42)


def test_one_look_is_one_insert_with_no_transaction_and_no_chain():
    token = context.request_id.set("rq-1")
    try:
        with CaptureQueriesContext(connection) as queries:
            entry = access_record(actor=CLERK, operation="card.status_query", person_id=42, card_ids=[9, 8])
    finally:
        context.request_id.reset(token)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert not AuditEvent.objects.exists() and not AuditPending.objects.exists()
    entry = AccessLogEntry.objects.get(pk=entry.pk)
    assert (entry.operation, entry.actor_kind, entry.actor_id, entry.actor_name, entry.actor_role,
            entry.channel, entry.outlet_id, entry.person_id, entry.card_ids, entry.request_id) == (
        "card.status_query", "staff", 11, "窗口甲", "clerk", "window", 7, 42, [9, 8], "rq-1")


def test_entries_are_append_only():
    entry = access_record(actor=CITIZEN, operation="card.status_query", person_id=42)
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_search_by_person_actor_operation_and_time():
    start = clock.now()
    access_record(actor=CLERK, operation="card.status_query", person_id=42, card_ids=[9])
    access_record(actor=CITIZEN, operation="card.status_query", person_id=42, card_ids=[9])
    access_record(actor=CLERK, operation="card.status_query", person_id=43)
    every = access_log_search(AccessQuery())
    assert every["total"] == 3 and [r["person_id"] for r in every["rows"]] == [43, 42, 42]  # newest first
    whose = access_log_search(AccessQuery(person_id=42))
    assert [(r["actor_kind"], r["actor_id"]) for r in whose["rows"]] == [("citizen", 5), ("staff", 11)]
    by_clerk = access_log_search(AccessQuery(actor_kind="staff", actor_id=11))
    assert [r["person_id"] for r in by_clerk["rows"]] == [43, 42]
    assert access_log_search(AccessQuery(actor_name="窗口", outlet_id=7, actor_role="clerk"))["total"] == 2
    assert access_log_search(AccessQuery(operation="request.review_detail"))["total"] == 0
    window = AccessQuery(at_from=start, at_to=clock.now() + dt.timedelta(seconds=1))
    assert access_log_search(window)["total"] == 3
    assert access_log_search(AccessQuery(at_to=start))["total"] == 0
    paged = access_log_search(AccessQuery(), page=9, page_size=2)
    assert (paged["page"], paged["pages"], len(paged["rows"]), paged["has_previous"]) == (2, 2, 1, True)
    row = every["rows"][0]
    assert set(row) == {"id", "at", "operation", "actor_kind", "actor_id", "actor_name", "actor_role",
                        "channel", "outlet_id", "person_id", "card_ids", "request_id"}


@pytest.mark.django_db(transaction=True)
def test_asynchronous_commit_is_still_one_insert_and_the_same_row(settings):
    """``SSCARD_ACCESS_LOG_SYNC_COMMIT`` off: on PostgreSQL in autocommit the one INSERT turns off the flush
    wait for its own transaction; elsewhere (SQLite, inside a transaction) the ordinary insert."""
    settings.SSCARD_ACCESS_LOG_SYNC_COMMIT = False
    with CaptureQueriesContext(connection) as queries:
        entry = access_record(actor=CLERK, operation="card.status_query", person_id=42, card_ids=[9])
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1 and "INSERT" in sql[0]
    assert ("synchronous_commit" in sql[0]) == (connection.vendor == "postgresql")
    row = AccessLogEntry.objects.get(pk=entry.pk)
    assert (row.actor_id, row.outlet_id, row.person_id, row.card_ids, row.at) == (11, 7, 42, [9], entry.at)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW synchronous_commit")
            assert cur.fetchone()[0] == "on"  # the session's setting is untouched
