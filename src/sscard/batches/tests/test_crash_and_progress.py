"""A validation worker killed mid-file resumes without duplicates or lost rows; progress is visible while
it runs; a stalled batch is re-queued by the due sweeps."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from sscard.batches import validation
from sscard.batches.models import Batch, BatchRow
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.people.models import Person
from sscard.testing import batch_files as bf
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


class Killed(Exception):
    pass


@pytest.fixture
def no_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SSCARD_BATCH_CHUNK_ROWS = 2


def _submit(clerk_api, rows, capture):
    emp, handler = f.make_employer()
    body = {"business": "batch_apply", "employer_uscc": emp.uscc,
            "handler": {"doc_type": "id_card", "number": handler.id_number}, "evidence": f.window_evidence(),
            "rows": rows, "intro_letter_ref": "JS-1"}
    with capture(execute=True):
        resp = clerk_api.post("/batches/paper", body)
    assert resp.status_code == 202
    return resp.json()["batch_no"]


def test_killed_worker_resumes_without_duplicates(no_worker, clerk_api, monkeypatch,
                                                  django_capture_on_commit_callbacks):
    rows = [bf.person_row(name=f"吴{i}") for i in range(5)]
    rows[3]["phone"] = "1"  # one refused row
    batch_no = _submit(clerk_api, rows, django_capture_on_commit_callbacks)
    assert clerk_api.get(f"/batches/{batch_no}").json()["status"] == "queued"

    real = validation._store_chunk
    calls = []

    def dying(*args, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise Killed("worker killed")
        return real(*args, **kw)

    monkeypatch.setattr(validation, "_store_chunk", dying)
    with pytest.raises(Killed):
        validation.batch_validate(batch_no=batch_no)
    seen = clerk_api.get(f"/batches/{batch_no}").json()
    assert (seen["status"], seen["processed_rows"], seen["progress_percent"]) == ("validating", 4, 80)
    monkeypatch.setattr(validation, "_store_chunk", real)
    validation.batch_validate(batch_no=batch_no)
    validation.batch_validate(batch_no=batch_no)  # a second worker on a finished batch changes nothing
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["status"], out["accepted_rows"], out["refused_rows"], out["processed_rows"]) == ("validated", 4, 1, 5)
    assert sorted(BatchRow.objects.values_list("line_no", flat=True)) == [2, 3, 4, 5, 6]
    assert ServiceRequest.objects.filter(applicant_role="unit").count() == 4
    assert Person.objects.filter(name__startswith="吴").count() == 4


def test_stalled_batch_is_requeued_by_the_sweeps(no_worker, settings, clerk_api, django_capture_on_commit_callbacks):
    clock.freeze(dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone.utc))
    batch_no = _submit(clerk_api, [bf.person_row()], django_capture_on_commit_callbacks)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    out = StringIO()
    clock.freeze(dt.datetime(2026, 11, 25, 10, 5, tzinfo=dt.timezone.utc))
    call_command("run_due_sweeps", stdout=out)
    assert "re-queued: 0" in out.getvalue()
    clock.freeze(dt.datetime(2026, 11, 25, 10, 30, tzinfo=dt.timezone.utc))
    call_command("run_due_sweeps", stdout=out)
    assert "re-queued: 1" in out.getvalue()
    assert Batch.objects.get(batch_no=batch_no).status == "validated"


def test_parts_taken_in_any_order_close_the_batch_once(no_worker, settings, clerk_api, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    """Parts are independent: run out of order, one of them killed and run again, one run twice, the
    rows are stored once each and the part that ends last closes the batch."""
    from sscard.audit.models import AuditEvent
    from sscard.batches.models import BatchPart
    from sscard.batches.tasks import validate_batch

    settings.SSCARD_BATCH_PART_ROWS = 2
    rows = [bf.person_row(name=f"郑{i}") for i in range(5)]
    batch_no = _submit(clerk_api, rows, django_capture_on_commit_callbacks)
    validation.batch_prepare(batch_no=batch_no)
    assert list(BatchPart.objects.order_by("part_no").values_list("first_line", "last_line", "rows")) == [
        (2, 3, 2), (4, 5, 2), (6, 6, 1)]
    assert clerk_api.get(f"/batches/{batch_no}").json()["total_rows"] == 5
    validation.batch_validate_part(batch_no=batch_no, part_no=2)
    real = validation._store_chunk

    def dying(*args, **kw):
        raise Killed("worker killed")

    monkeypatch.setattr(validation, "_store_chunk", dying)
    with pytest.raises(Killed):
        validation.batch_validate_part(batch_no=batch_no, part_no=0)
    monkeypatch.setattr(validation, "_store_chunk", real)
    validation.batch_validate_part(batch_no=batch_no, part_no=2)  # done already: nothing
    assert Batch.objects.get(batch_no=batch_no).status == "validating"
    validation.batch_validate_part(batch_no=batch_no, part_no=1)
    assert Batch.objects.get(batch_no=batch_no).status == "validating"  # part 0 still pending
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    validate_batch.enqueue(batch_no)  # the sweeps' re-queue: only part 0 is left
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["status"], out["accepted_rows"], out["processed_rows"]) == ("validated", 5, 5)
    assert sorted(BatchRow.objects.values_list("line_no", flat=True)) == [2, 3, 4, 5, 6]
    assert ServiceRequest.objects.filter(applicant_role="unit").count() == 5
    events = AuditEvent.objects.filter(subject_id=batch_no)
    assert events.filter(event_type="BATCH_VALIDATED").count() == 1
    assert events.filter(event_type="BATCH_ROWS_PROCESSED").count() == 3
