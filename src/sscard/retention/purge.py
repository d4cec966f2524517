"""The purge: deletes or anonymises what is past its schedule (``retention.schedules``), kind by kind.

Each kind is a query of what is due (``Due``) and what to do to one chunk of it.  A chunk is one
transaction: its rows are locked (``SKIP LOCKED``: a second purge at once takes other rows), the query is
applied again inside the lock (a row that changed meanwhile is left), the files are deleted through the
storage API, the rows deleted or cleared, and one audit event (``RETENTION_PURGED`` /
``PERSONS_ANONYMISED``) lists what the chunk did, as the other bulk paths do.  Every purged row leaves the
query (deleted, or cleared so the query no longer matches it), so a second run finds nothing: the purge is
idempotent, and a crash loses at most the chunk it was in, which the next run does again.

Files go before the commit, not after it: a purge must never leave a file of personal data behind with
no row that leads to it.  If the chunk's transaction fails after its files are gone, its rows (all past
their schedule anyway) stay and the next run deletes them (deleting a missing file is a no-op).

Never touched: audit events (the application cannot delete them, and must not: ``audit_report`` lists
those older than the legal minimum for the DBA's archival), access-log rows younger than that minimum,
and any person with a live card, an open business, an active employer-handler registration, or a record
still within its schedule.  ``dry_run`` counts what is due and changes nothing.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import CharField, Count, Exists, Max, Min, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat, TruncYear

from sscard.archive.models import ArchiveItem
from sscard.audit.choices import AuditEventType
from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.audit.services import audit_record
from sscard.batches import storage as batch_storage
from sscard.batches.choices import BatchStatus, RowStatus
from sscard.batches.models import Batch, BatchPart, BatchRow
from sscard.cards.choices import LIVE_STATES
from sscard.cards.models import Card
from sscard.core import clock
from sscard.core.models import IdempotencyRecord
from sscard.desk.choices import RequestStatus
from sscard.desk.models import ServiceRequest, WorkItem
from sscard.employers.models import EmployerHandler
from sscard.notify.choices import MessageState
from sscard.notify.models import OutboxMessage, SimulatedSms
from sscard.people.models import Person
from sscard.production import folders
from sscard.production.exchange_files import parse_exchange_filename
from sscard.production.models import ExchangeRecord
from sscard.retention.schedules import Schedules, current
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount

SUBJECT = "retention"
REQUEST_SUBJECT = "service_request"
BATCH_SUBJECT = "batch"
REFUSED = (RequestStatus.REJECTED, RequestStatus.VOIDED)
TERMINAL = (RequestStatus.COMPLETED, *REFUSED)
ANONYMOUS_NAME = "（已匿名）"
ANONYMOUS_PREFIX = "anon-"  # an anonymised person's id_hash: "anon-<id>", never an HMAC's hex


def chunk_size() -> int:
    return max(1, int(getattr(settings, "SSCARD_RETENTION_CHUNK", 1000)))


@dataclass
class Result:
    kind: str
    step: str
    rows: int = 0
    files: int = 0
    chunks: int = 0
    note: str = ""


@dataclass
class Due:
    """One purge step: ``query`` (a queryset of what is due, by primary key) and ``apply`` (given the
    locked rows of one chunk, does the purge and returns ``(files deleted, audit data)``)."""

    kind: str
    name: str
    query: Callable[[], QuerySet]
    apply: Callable[[list], tuple[int, dict]]
    event_type: str = AuditEventType.RETENTION_PURGED


# ---------------------------------------------------------------------------------------------- files


def _delete_file(name: str) -> int:
    """Delete one stored file through the storage API; 1 if there was a name to delete."""
    if not name:
        return 0
    default_storage.delete(name)
    return 1


def _delete_tree(prefix: str) -> int:
    """Every stored file under ``prefix`` (a batch's folder: whatever names its writers used)."""
    try:
        dirs, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotImplementedError):
        return 0
    n = 0
    for name in files:
        n += _delete_file(f"{prefix}/{name}")
    for sub in dirs:
        n += _delete_tree(f"{prefix}/{sub}")
    return n


def _delete_items(items: Iterable[ArchiveItem]) -> tuple[int, list[int]]:
    ids, files = [], 0
    for item in items:
        if item.file:
            item.file.delete(save=False)
            files += 1
        ids.append(item.pk)
    ArchiveItem.objects.filter(pk__in=ids).delete()
    return files, ids


# --------------------------------------------------------------------------------------- the steps


def _requests(statuses, *, before: dt.datetime, when: str) -> QuerySet:
    return ServiceRequest.objects.filter(status__in=statuses, **{f"{when}__lt": before})


def _images_of(requests: QuerySet) -> QuerySet:
    return ArchiveItem.objects.filter(subject_type=REQUEST_SUBJECT).filter(
        Exists(requests.filter(request_no=OuterRef("subject_id"))))


def _images_step(kind: str, name: str, query: Callable[[], QuerySet]) -> Due:
    def apply(items):
        files, ids = _delete_items(items)
        return files, {"archive_items": ids, "subjects": sorted({i.subject_id for i in items})}

    return Due(kind, name, query, apply)


def _batch_files(batch: Batch) -> int:
    files = _delete_file(batch.source_name) + _delete_file(batch.scans_name)
    files += _delete_file(batch_storage.parsed_name(batch.batch_no))
    files += _delete_file(batch_storage.scans_index_name(batch.batch_no))
    files += _delete_parts(BatchPart.objects.filter(batch=batch))
    return files + _delete_tree(f"batches/{batch.batch_no}")


def _delete_parts(parts: QuerySet) -> int:
    files = 0
    for part in parts.exclude(file_name=""):
        files += _delete_file(part.file_name)
    parts.update(file_name="")
    return files


def _batches_step(kind: str, name: str, query: Callable[[], QuerySet]) -> Due:
    """A batch's files and its own images (the handler's credential, scene, letter) are deleted; the
    batch row stays, its file names cleared."""
    def apply(batches):
        files = 0
        nos = [b.batch_no for b in batches]
        for batch in batches:
            files += _batch_files(batch)
        own = ArchiveItem.objects.filter(subject_type=BATCH_SUBJECT, subject_id__in=nos)
        more, item_ids = _delete_items(own)
        Batch.objects.filter(pk__in=[b.pk for b in batches]).update(source_name="", scans_name="")
        return files + more, {"batches": nos, "archive_items": item_ids}

    return Due(kind, name, query, apply)


def steps(s: Schedules, now: dt.datetime) -> list[Due]:
    """Every purge step in the order they run (images before the rows that lead to them, persons last)."""
    evidence = s.cutoff("evidence_images", now)
    refused = s.cutoff("refused_applications", now)
    work = s.cutoff("batch_work_files", now)
    kept_batches = s.cutoff("batch_files", now)
    done = Q(status=BatchStatus.VALIDATED) | Q(status=BatchStatus.FAILED)

    def parts_due():
        finished = Batch.objects.filter(done, updated_at__lt=work, pk=OuterRef("batch_id"))
        return BatchPart.objects.exclude(file_name="").filter(Exists(finished))

    def apply_parts(parts):
        batch_ids = {p.batch_id for p in parts}
        files = _delete_parts(BatchPart.objects.filter(pk__in=[p.pk for p in parts]))
        for batch_no in Batch.objects.filter(pk__in=batch_ids).values_list("batch_no", flat=True):
            files += _delete_file(batch_storage.parsed_name(batch_no))
            files += _delete_file(batch_storage.scans_index_name(batch_no))
        return files, {"batch_parts": [p.pk for p in parts], "batch_ids": sorted(batch_ids)}

    def addresses_due():
        return _requests(REFUSED, before=refused, when="updated_at").exclude(delivery_address="")

    def apply_addresses(reqs):
        ServiceRequest.objects.filter(pk__in=[r.pk for r in reqs]).update(delivery_address="")
        return 0, {"requests": [r.request_no for r in reqs], "cleared": ["delivery_address"]}

    def rows_due():
        ended = Batch.objects.filter(done, updated_at__lt=refused, pk=OuterRef("batch_id"))
        return BatchRow.objects.filter(status=RowStatus.REFUSED).exclude(data="").filter(Exists(ended))

    def apply_rows(rows):
        BatchRow.objects.filter(pk__in=[r.pk for r in rows]).update(data="", id_hash="", numeric="", scans={})
        return 0, {"batch_rows": [r.pk for r in rows], "cleared": ["data", "id_hash", "numeric", "scans"],
                   "kept": ["line_no", "seq", "reason"]}

    return [
        _images_step("evidence_images", "completed businesses' images",
                     lambda: _images_of(_requests([RequestStatus.COMPLETED], before=evidence,
                                                  when="completed_at"))),
        _images_step("refused_applications", "refused and voided businesses' images",
                     lambda: _images_of(_requests(REFUSED, before=refused, when="updated_at"))),
        Due("refused_applications", "refused and voided businesses' delivery addresses", addresses_due,
            apply_addresses),
        Due("refused_applications", "refused batch rows' data", rows_due, apply_rows),
        _batches_step("refused_applications", "failed or wholly refused batches' files and images",
                      lambda: Batch.objects.exclude(source_name="").filter(
                          Q(status=BatchStatus.FAILED) | Q(status=BatchStatus.VALIDATED, accepted_rows=0),
                          updated_at__lt=refused)),
        Due("batch_work_files", "batch validation work files", parts_due, apply_parts),
        _batches_step("batch_files", "validated batches' files and images",
                      lambda: Batch.objects.exclude(source_name="").filter(
                          status=BatchStatus.VALIDATED, accepted_rows__gt=0, validated_at__lt=kept_batches)),
        _persons_step(s, now),
        _delete_step("access_log", "access log entries",
                     lambda: AccessLogEntry.objects.filter(at__lt=s.cutoff("access_log", now))),
        _delete_step("tokens", "expired or revoked API tokens", lambda: ApiToken.objects.filter(
            Q(expires_at__lt=s.cutoff("tokens", now))
            | Q(revoked=True, created_at__lt=s.cutoff("tokens", now)))),
        _delete_step("sessions", "expired sessions", list_ids=False,
                     query=lambda: Session.objects.filter(expire_date__lt=s.cutoff("sessions", now))),
        _delete_step("notifications", "sent or failed SMS messages", lambda: OutboxMessage.objects.filter(
            state__in=(MessageState.SENT, MessageState.FAILED),
            updated_at__lt=s.cutoff("notifications", now))),
        _delete_step("notifications", "the simulated SMS gateway's deliveries",
                     lambda: SimulatedSms.objects.filter(delivered_at__lt=s.cutoff("notifications", now))),
        _delete_step("idempotency", "idempotency records",
                     lambda: IdempotencyRecord.objects.filter(created_at__lt=s.cutoff("idempotency", now))),
    ]


def _delete_step(kind: str, name: str, query: Callable[[], QuerySet], *, list_ids: bool = True) -> Due:
    def apply(rows):
        pks = [r.pk for r in rows]
        type(rows[0])._default_manager.filter(pk__in=pks).delete()
        return 0, {"ids": pks} if list_ids else {"rows": len(pks)}  # session keys are secrets: not listed

    return Due(kind, name, query, apply)


# --------------------------------------------------------------------------------------------- persons


def persons_due(s: Schedules, now: dt.datetime) -> QuerySet:
    """Persons to anonymise: no live card, no open business, no active handler registration, and nothing
    of theirs within its schedule (their refused businesses past ``refused_applications``, their completed
    businesses and cards past ``evidence_images``, the person row itself idle past ``persons``)."""
    refused = s.cutoff("refused_applications", now)
    evidence = s.cutoff("evidence_images", now)
    idle = s.cutoff("persons", now)
    party = Q(applicant=OuterRef("pk")) | Q(agent=OuterRef("pk"))
    requests = ServiceRequest.objects.filter(party)
    keep = (
        Exists(Card.objects.filter(person=OuterRef("pk"), state__in=LIVE_STATES))
        | Exists(requests.exclude(status__in=TERMINAL))
        | Exists(requests.filter(updated_at__gte=refused))
        | Exists(requests.filter(status=RequestStatus.COMPLETED, completed_at__gte=evidence))
        | Exists(Card.objects.filter(person=OuterRef("pk"), state_changed_at__gte=evidence))
        | Exists(EmployerHandler.objects.filter(person=OuterRef("pk"), is_active=True))
        | Exists(WorkItem.objects.filter(person=OuterRef("pk"), created_at__gte=refused))
        | Exists(BatchRow.objects.filter(person=OuterRef("pk"), created_at__gte=refused))
        | Exists(OutboxMessage.objects.filter(person=OuterRef("pk")).exclude(
            state__in=(MessageState.SENT, MessageState.FAILED)))
    )
    return (Person.objects.exclude(id_hash__startswith=ANONYMOUS_PREFIX)
            .filter(updated_at__lt=idle).exclude(keep))


def _persons_step(s: Schedules, now: dt.datetime) -> Due:
    def apply(persons):
        ids = [p.pk for p in persons]
        Person.objects.filter(pk__in=ids).update(
            name=ANONYMOUS_NAME, id_number="",
            id_hash=Concat(Value(ANONYMOUS_PREFIX), Cast("id", CharField())),
            phone="", phone_hash="", address="", ethnicity="", gender="", birth_date=TruncYear("birth_date"),
            updated_at=now)
        CitizenAccount.objects.filter(person_id__in=ids, is_active=True).update(is_active=False)
        ApiToken.objects.filter(citizen__person_id__in=ids, revoked=False).update(revoked=True)
        ServiceRequest.objects.filter(applicant_id__in=ids).exclude(delivery_address="").update(delivery_address="")
        WorkItem.objects.filter(person_id__in=ids).update(contact_phone="", contact_phone_hash="")
        return 0, {"persons": ids, "kept": ["birth_year", "nationality", "fee_exempt"]}

    return Due("persons", "persons without a live card or a kept record", lambda: persons_due(s, now), apply,
               event_type=AuditEventType.PERSONS_ANONYMISED)


# ------------------------------------------------------------------------------------------- the run


def _run_step(step: Due, *, s: Schedules, now: dt.datetime, actor: Actor, chunk: int,
              dry_run: bool) -> Result:
    result = Result(step.kind, step.name)
    if dry_run:
        result.rows = step.query().count()
        return result
    last = None
    while True:
        qs = step.query().order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        pks = list(qs.values_list("pk", flat=True)[:chunk])
        if not pks:
            return result
        last = pks[-1]
        try:
            with transaction.atomic():
                # Locked and checked again: what changed since the list was read is left as it is now.
                rows = list(step.query().filter(pk__in=pks).order_by("pk")
                            .select_for_update(skip_locked=True, of=("self",)))
                if not rows:
                    continue
                files, data = step.apply(rows)
                audit_record(event_type=step.event_type, actor=actor, subject_type=SUBJECT,
                             subject_id=step.kind,
                             data={"step": step.name, "schedule_days": s.days[step.kind],
                                   "run_at": now.isoformat(), "rows": len(rows), "files": files, **data})
        except DatabaseError as exc:
            if step.kind != "access_log":
                raise
            # The database refuses to delete audit rows (the DBA's protection covers the access log):
            # left for the DBA's archival with the audit events.
            result.note = f"refused by the database ({type(exc).__name__}): left for the DBA's archival"
            return result
        result.rows += len(rows)
        result.files += files
        result.chunks += 1


def _exchange_files_due(s: Schedules, now: dt.datetime) -> list:
    """Files of the partner exchange folders (``outbox/``, ``inbox/done/``; never a result file still
    waiting in the inbox) whose exchange record is past ``exchange_files``: full identity data, sealed."""
    cutoff = s.cutoff("exchange_files", now)
    found = []
    for folder in (folders.outbox(), folders.inbox() / "done"):
        for path in sorted(folder.iterdir()):
            parsed = parse_exchange_filename(path.name) if path.is_file() else None
            if parsed:
                found.append((path, *parsed))
    orders = {o for _, _, o in found}
    old = set(ExchangeRecord.objects.filter(created_at__lt=cutoff, order__order_no__in=orders)
              .values_list("kind", "order__order_no"))
    return [path for path, kind, order_no in found if (kind, order_no) in old]


def _purge_exchange_files(s: Schedules, now: dt.datetime, *, actor: Actor, chunk: int,
                          dry_run: bool) -> Result:
    result = Result("exchange_files", "partner exchange files")
    due = _exchange_files_due(s, now)
    if dry_run:
        result.rows = result.files = len(due)
        return result
    for start in range(0, len(due), chunk):
        paths = due[start:start + chunk]
        with transaction.atomic():
            for path in paths:
                path.unlink(missing_ok=True)  # a local folder shared with the partners, not the storage
            audit_record(event_type=AuditEventType.RETENTION_PURGED, actor=actor, subject_type=SUBJECT,
                         subject_id="exchange_files",
                         data={"step": result.step, "schedule_days": s.days["exchange_files"],
                               "run_at": now.isoformat(), "files": len(paths),
                               "names": [p.name for p in paths]})
        result.files += len(paths)
        result.chunks += 1
    return result


@dataclass(frozen=True)
class AuditReport:
    """Audit events past the legal minimum, which only the DBA may archive (the application never deletes
    one): how many, their sequence numbers and how many a year."""

    cutoff: dt.datetime
    events: int
    first_seq: int | None
    last_seq: int | None
    by_year: dict[int, int]


def audit_report(s: Schedules, now: dt.datetime) -> AuditReport:
    cutoff = s.audit_cutoff(now)
    old = AuditEvent.objects.filter(at__lt=cutoff)
    agg = old.aggregate(n=Count("seq"), first=Min("seq"), last=Max("seq"))
    by_year = {row["y"].year: row["n"] for row in
               old.annotate(y=TruncYear("at")).values("y").annotate(n=Count("seq")).order_by("y")}
    return AuditReport(cutoff=cutoff, events=agg["n"], first_seq=agg["first"], last_seq=agg["last"],
                       by_year=by_year)


def purge_expired(*, now: dt.datetime | None = None, dry_run: bool = False, chunk: int | None = None,
                  actor: Actor | None = None) -> tuple[list[Result], AuditReport]:
    """Run every step once; returns what each did (or, ``dry_run``, would do) and the audit report."""
    s = current()
    now = now or clock.now()
    actor = actor or Actor.system("purge_expired")
    chunk = chunk or chunk_size()
    results = [_run_step(step, s=s, now=now, actor=actor, chunk=chunk, dry_run=dry_run)
               for step in steps(s, now)]
    results.append(_purge_exchange_files(s, now, actor=actor, chunk=chunk, dry_run=dry_run))
    return results, audit_report(s, now)
