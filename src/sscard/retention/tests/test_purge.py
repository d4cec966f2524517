"""The purge, with a fixed clock: each kind goes when its schedule has passed and not a day before, files
go through the storage API, one audit event per chunk lists what went, a second run does nothing, audit
events are never deleted, and a person with a live card is never anonymised."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import connection, transaction

from sscard.archive.models import ArchiveItem
from sscard.archive.services import archive_store_image
from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.batches.models import Batch, BatchPart, BatchRow
from sscard.core import clock
from sscard.core.models import IdempotencyRecord
from sscard.desk.intake import DocInput, EvidenceInput
from sscard.desk.lifecycle import card_loss_report
from sscard.desk.models import ServiceRequest
from sscard.notify.models import OutboxMessage
from sscard.people.models import Person
from sscard.production import folders
from sscard.production.exchange_files import exchange_filename
from sscard.production.models import ExchangeRecord, ProductionOrder
from sscard.retention import purge as purge_module
from sscard.retention.purge import ANONYMOUS_NAME, purge_expired
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import paper_batch

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
YEARS_30 = 30 * 365


def at(days: float) -> None:
    clock.freeze(T0 + dt.timedelta(days=days))


@pytest.fixture(autouse=True)
def _start():
    at(0)


@pytest.fixture
def completed_business(clerk, adult, django_capture_on_commit_callbacks):
    """A completed window business (a loss report) whose images are in storage (written after commit)."""
    f.make_card(adult)
    image = f.jpeg_bytes(320, 240)
    with django_capture_on_commit_callbacks(execute=True):
        it = card_loss_report(actor=Actor.for_staff(clerk), applicant=DocInput("id_card", adult.id_number),
                              evidence=EvidenceInput(credential_images=[image], scene_image=image))
    return Actor.for_staff(clerk), it.request


def purge(**kw):
    return purge_expired(**kw)


def events(kind=None):
    qs = AuditEvent.objects.filter(event_type__in=("RETENTION_PURGED", "PERSONS_ANONYMISED"))
    return qs.filter(subject_id=kind) if kind else qs


def _refused_request(person, *, status="rejected", address="重庆市江北区观音桥1号", capture=None):
    now = clock.now()
    req = ServiceRequest.objects.create(
        request_no=f"YW-R-{person.pk}", business="apply", channel="app", applicant_role="self",
        catalogue_version="x", applicant=person, actor_name="t", actor_role="citizen", status=status,
        delivery="post", delivery_address=address, created_at=now, updated_at=now)
    with capture(execute=True), transaction.atomic():
        item = archive_store_image(actor=Actor.system("test"), subject_type="service_request",
                                   subject_id=req.request_no, kind="credential",
                                   content=f.jpeg_bytes(640, 480), person_id=person.pk)
    return req, item


def test_completed_business_images_go_after_the_archive_period_and_the_card_holder_stays(completed_business):
    _actor, req = completed_business
    items = list(ArchiveItem.objects.filter(subject_id=req.request_no))
    names = [i.file.name for i in items]
    assert items and all(default_storage.exists(n) for n in names)
    at(YEARS_30 - 1)
    purge()
    assert ArchiveItem.objects.filter(subject_id=req.request_no).count() == len(items)
    at(YEARS_30 + 1)
    results, _ = purge()
    assert not ArchiveItem.objects.filter(subject_id=req.request_no).exists()
    assert not any(default_storage.exists(n) for n in names)
    [event] = events("evidence_images")
    assert sorted(event.data["archive_items"]) == sorted(i.pk for i in items)
    assert event.data["subjects"] == [req.request_no] and event.data["files"] == len(items)
    assert event.actor_kind == "system" and event.data["schedule_days"] == YEARS_30
    person = Person.objects.get(pk=req.applicant_id)
    assert person.name != ANONYMOUS_NAME and person.id_number  # a live card: never anonymised
    purge()  # idempotent
    assert events("evidence_images").count() == 1


def test_refused_application_data_goes_after_its_schedule_then_the_person_is_anonymised(
        citizen, django_capture_on_commit_callbacks):
    person = citizen.person
    f.token_for(citizen=citizen)
    req, item = _refused_request(person, capture=django_capture_on_commit_callbacks)
    assert default_storage.exists(item.file.name)
    name = item.file.name
    at(179)
    purge()
    req.refresh_from_db()
    assert ArchiveItem.objects.filter(pk=item.pk).exists() and req.delivery_address
    assert Person.objects.get(pk=person.pk).name == person.name
    at(181)
    purge()
    req.refresh_from_db()
    assert not ArchiveItem.objects.filter(pk=item.pk).exists() and not default_storage.exists(name)
    assert req.delivery_address == "" and req.status == "rejected"  # the record stays, its data goes
    p = Person.objects.get(pk=person.pk)
    assert (p.name, p.id_number, p.phone, p.address, p.phone_hash) == (ANONYMOUS_NAME, "", "", "", "")
    assert p.id_hash == f"anon-{p.pk}" and p.birth_date == person.birth_date.replace(month=1, day=1)
    citizen.refresh_from_db()
    assert citizen.is_active is False
    assert not ApiToken.objects.filter(citizen=citizen, revoked=False).exists()
    [anonymised] = events("persons")
    assert anonymised.event_type == "PERSONS_ANONYMISED" and anonymised.data["persons"] == [person.pk]
    assert person.name not in str(anonymised.data) and person.id_number not in str(anonymised.data)
    before = events().count()
    purge()
    assert events().count() == before


def test_a_person_with_a_live_card_an_open_business_or_a_handler_role_is_never_anonymised(
        db, django_capture_on_commit_callbacks):
    holder = f.make_person(name="持卡人")
    f.make_card(holder, state="lost")
    handler = f.make_employer()[1]
    pending = f.make_person(name="办理中")
    _refused_request(pending, status="pending_review", capture=django_capture_on_commit_callbacks)
    idle = f.make_person(name="无卡无业务")
    cancelled = f.make_person(name="已注销")
    f.make_card(cancelled, state="cancelled")
    at(181)
    purge()
    names = dict(Person.objects.values_list("pk", "name"))
    assert (names[holder.pk], names[handler.pk], names[pending.pk]) == ("持卡人", handler.name, "办理中")
    assert names[idle.pk] == ANONYMOUS_NAME
    assert names[cancelled.pk] == "已注销"  # a card's record is kept with the archive period
    at(YEARS_30 + 1)
    purge()
    names = dict(Person.objects.values_list("pk", "name"))
    assert names[cancelled.pk] == ANONYMOUS_NAME
    assert (names[holder.pk], names[handler.pk], names[pending.pk]) == ("持卡人", handler.name, "办理中")


def test_batch_work_files_then_refused_rows(clerk_api, employer, django_capture_on_commit_callbacks):
    rows = [bf.person_row(name="钱一", seq="1"), bf.person_row(name="孙二", seq="2", phone="1391234")]
    batch_no = paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    batch = Batch.objects.get(batch_no=batch_no)
    parts = list(BatchPart.objects.filter(batch=batch).values_list("file_name", flat=True))
    assert parts and all(default_storage.exists(n) for n in parts)
    assert default_storage.exists(batch.source_name)
    at(29)
    purge()
    assert all(default_storage.exists(n) for n in parts)
    at(31)
    purge()
    assert not any(default_storage.exists(n) for n in parts)
    assert default_storage.exists(batch.source_name)  # the submitted sheet is kept with the archive
    [event] = events("batch_work_files")
    assert event.data["batch_ids"] == [batch.pk]
    refused = BatchRow.objects.get(batch=batch, status="refused")
    assert refused.data
    at(181)
    purge()
    refused.refresh_from_db()
    assert (refused.data, refused.id_hash, refused.line_no, refused.seq) == ("", "", 3, "2")
    assert refused.reason == "联系手机须为 11 位手机号码"
    accepted = BatchRow.objects.get(batch=batch, status="accepted")
    assert accepted.data  # an accepted row is the application's record
    _emp, handler = employer
    resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx",
                          {"handler": {"doc_type": "id_card", "number": handler.id_number}})
    assert resp.status_code == 200  # still the row number and the reason
    at(YEARS_30 + 200)
    purge()
    batch.refresh_from_db()
    assert batch.source_name == "" and not default_storage.listdir(f"batches/{batch_no}")[1]
    assert not ArchiveItem.objects.filter(subject_type="batch", subject_id=batch_no).exists()


def test_access_log_tokens_sessions_and_idempotency(clerk, settings):
    settings.SSCARD_RETENTION = {"access_log": 200}
    entry = AccessLogEntry.objects.create(at=clock.now(), operation="card.status_query", actor_kind="staff",
                                          actor_name="x", actor_role="clerk", channel="window", person_id=1)
    live = ApiToken.objects.create(token_hash="a" * 64, kind="staff", staff=clerk, created_at=clock.now(),
                                   expires_at=clock.now() + dt.timedelta(days=400))
    expired = ApiToken.objects.create(token_hash="b" * 64, kind="staff", staff=clerk, created_at=clock.now(),
                                      expires_at=clock.now() + dt.timedelta(days=1))
    revoked = ApiToken.objects.create(token_hash="c" * 64, kind="staff", staff=clerk, created_at=clock.now(),
                                      revoked=True)
    Session.objects.create(session_key="s" * 32, session_data="x", expire_date=clock.now())
    IdempotencyRecord.objects.create(principal="p", key="k", method="POST", path="/x", body_hash="h",
                                     status_code=200, response_body=b"{}", content_type="application/json",
                                     created_at=clock.now())
    at(20)
    purge()
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {live.pk, expired.pk, revoked.pk}
    assert not Session.objects.exists() and not IdempotencyRecord.objects.exists()
    at(32)
    purge()
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {live.pk}
    [tokens] = events("tokens")
    assert sorted(tokens.data["ids"]) == sorted([expired.pk, revoked.pk])
    assert "s" * 32 not in str(events("sessions").get().data)  # session keys are secrets
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    at(201)
    results, _ = purge()
    if connection.vendor == "postgresql":  # the audit tables refuse DELETE (audit migration 0005)
        [row] = [r for r in results if r.kind == "access_log"]
        assert row.rows == 0 and "DBA" in row.note and AccessLogEntry.objects.filter(pk=entry.pk).exists()
    else:
        assert not AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_access_log_is_never_purged_younger_than_the_audit_minimum(settings):
    settings.SSCARD_RETENTION = {"access_log": 180}
    settings.SSCARD_AUDIT_MIN_RETENTION_DAYS = 365
    with pytest.raises(Exception, match="access_log"):
        purge()
    settings.SSCARD_RETENTION = {"access_log": 365}
    AccessLogEntry.objects.create(at=clock.now(), operation="card.status_query", actor_kind="staff",
                                  actor_name="x", actor_role="clerk", channel="window")
    at(364)
    purge()
    assert AccessLogEntry.objects.count() == 1


def test_audit_events_are_never_deleted_only_reported(completed_business):
    events_before = set(AuditEvent.objects.values_list("seq", flat=True))
    assert events_before
    at(YEARS_30 + 1)
    _results, report = purge()
    after = set(AuditEvent.objects.values_list("seq", flat=True))
    assert events_before <= after and len(after) > len(events_before)
    assert report.events == len(events_before) and report.first_seq == min(events_before)
    assert report.by_year == {2026: len(events_before)}


def test_chunks_one_event_each_and_dry_run_changes_nothing(clerk):
    for i in range(5):
        ApiToken.objects.create(token_hash=f"{i}" * 64, kind="staff", staff=clerk, created_at=clock.now(),
                                expires_at=clock.now())
    at(31)
    results, _ = purge(dry_run=True)
    assert {r.step: r.rows for r in results}["expired or revoked API tokens"] == 5
    assert ApiToken.objects.count() == 5 and not events().exists()
    results, _ = purge(chunk=2)
    [tokens] = [r for r in results if r.kind == "tokens"]
    assert (tokens.rows, tokens.chunks) == (5, 3)
    assert [len(e.data["ids"]) for e in events("tokens").order_by("seq")] == [2, 2, 1]
    assert not ApiToken.objects.exists()


@pytest.mark.postgres
def test_a_database_that_refuses_to_delete_the_access_log_gets_a_report_not_an_error(settings):
    """The DBA's protection of the audit tables may cover the access log: the purge leaves it and says so."""
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cur:
        cur.execute("CREATE FUNCTION retention_test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit rows are append-only'; END $$")
        cur.execute(f"CREATE TRIGGER retention_test_refuse BEFORE DELETE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION retention_test_refuse()")
    AccessLogEntry.objects.create(at=clock.now(), operation="card.status_query", actor_kind="staff",
                                  actor_name="x", actor_role="clerk", channel="window")
    at(4 * 365)
    results, _ = purge()
    [row] = [r for r in results if r.kind == "access_log"]
    assert row.rows == 0 and "DBA" in row.note
    assert AccessLogEntry.objects.count() == 1


def test_partner_exchange_files_go_after_their_schedule_but_not_a_waiting_result(clerk_api, employer,
                                                                              django_capture_on_commit_callbacks):
    batch_no = paper_batch(clerk_api, employer, [bf.person_row()], capture=django_capture_on_commit_callbacks)
    batch = Batch.objects.get(batch_no=batch_no)
    order = ProductionOrder.objects.create(order_no="ZK2026030200000001", batch=batch, bank="中国工商银行",
                                           outlet=batch.outlet, stage="bank_sent", created_at=clock.now(),
                                           updated_at=clock.now())
    out_name = exchange_filename("bank_out", order.order_no)
    result_name = exchange_filename("bank_result", order.order_no)
    folders.write_out(out_name, b"id numbers")
    folders.write_in(result_name, b"waiting")
    ExchangeRecord.objects.create(order=order, kind="bank_out", name=out_name, sha256="0" * 64, rows=1,
                                  created_at=clock.now())
    ExchangeRecord.objects.create(order=order, kind="bank_result", name=result_name, sha256="1" * 64, rows=1,
                                  created_at=clock.now())
    at(89)
    purge()
    assert (folders.outbox() / out_name).exists()
    at(91)
    purge()
    assert not (folders.outbox() / out_name).exists()
    assert (folders.inbox() / result_name).exists()  # still to be imported: never purged
    [event] = events("exchange_files")
    assert event.data["names"] == [out_name]


def test_a_chunk_that_fails_after_deleting_its_files_is_finished_by_the_next_run(completed_business,
                                                                                 monkeypatch):
    _actor, req = completed_business
    names = [i.file.name for i in ArchiveItem.objects.filter(subject_id=req.request_no)]
    at(YEARS_30 + 1)

    def crash(**kwargs):
        raise RuntimeError("killed before the commit")

    monkeypatch.setattr(purge_module, "audit_record", crash)
    with pytest.raises(RuntimeError):
        purge()
    assert ArchiveItem.objects.filter(subject_id=req.request_no).count() == len(names)  # rolled back
    assert not any(default_storage.exists(n) for n in names)  # but no personal data left behind
    monkeypatch.undo()
    purge()
    assert not ArchiveItem.objects.filter(subject_id=req.request_no).exists()
    assert events("evidence_images").get().data["files"] == len(names)


def test_sent_sms_go_after_their_schedule_and_a_waiting_one_keeps_its_person(db):
    sent_to, waiting_for = f.make_person(name="已通知"), f.make_person(name="待通知")

    def message(person, key, state):
        return OutboxMessage.objects.create(
            kind="loss_reported", recipient="holder", person=person, subject_type="card", subject_id=key,
            text="您的社保卡已挂失", idempotency_key=key, state=state, next_attempt_at=clock.now(),
            created_at=clock.now(), updated_at=clock.now())

    sent = message(sent_to, "k-sent", "sent")
    pending = message(waiting_for, "k-pending", "pending")
    at(179)
    purge()
    assert OutboxMessage.objects.filter(pk=sent.pk).exists()
    at(181)
    purge()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [pending.pk]
    names = dict(Person.objects.values_list("pk", "name"))
    assert (names[sent_to.pk], names[waiting_for.pk]) == (ANONYMOUS_NAME, "待通知")
