"""The ``finish_central_production`` command (by request number, ``--all`` or ``--all-due``): approved
central production finished as the system, idempotent; a window request is refused and left alone."""

import io

import pytest
from django.core.management import CommandError, call_command

from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, req_of

pytestmark = pytest.mark.django_db


def test_finish_central_production_for_all_due_is_idempotent(citizen_api, adult, reviewer_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    out = io.StringIO()
    call_command("finish_central_production", "--all", stdout=out)
    req.refresh_from_db()
    assert req.status == "ready_for_pickup" and req.new_card.state == "made"
    assert "完成 1 笔" in out.getvalue()
    assert audit_types(req.request_no)[-1] == "REQUEST_PRODUCTION_FINISHED"
    again, err = io.StringIO(), io.StringIO()
    call_command("finish_central_production", req.request_no, stdout=again, stderr=err)
    assert "完成 0 笔，未处理 1 笔" in again.getvalue() and "REQUEST_STATE_CONFLICT" in err.getvalue()
    assert audit_types(req.request_no)[-1] == "REQUEST_PRODUCTION_FINISHED"


def test_command_needs_a_target():
    with pytest.raises(CommandError):
        call_command("finish_central_production")


def test_all_due_finishes_only_approved_central_production_as_the_system(
        citizen_api, adult, reviewer_api, clerk_api, outlet):
    from sscard.audit.models import AuditEvent
    from sscard.testing.desk import fail_printer

    approved = req_of(citizen_api.post("/applications", apply_body(
        number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]}, delivery={"method": "post"})))
    req_of(reviewer_api.post(f"/requests/{approved.request_no}/approve", {}))
    other = f.make_person(name="卫七")
    other_api = f.ApiClient(f.token_for(citizen=f.make_citizen(other)))
    pending = req_of(other_api.post("/applications", apply_body(
        number=other.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]}, delivery={"method": "post"})))
    fail_printer(outlet)
    deferred = req_of(clerk_api.post("/applications", apply_body(name="蒋八")))
    assert deferred.production_mode == "deferred" and pending.status == "pending_review"

    out = io.StringIO()
    call_command("finish_central_production", "--all-due", stdout=out)
    text = out.getvalue()
    approved.refresh_from_db()
    pending.refresh_from_db()
    deferred.refresh_from_db()
    assert approved.status == "ready_for_pickup" and approved.new_card.state == "made"
    assert pending.status == "pending_review" and deferred.status == "in_production"
    assert f"{approved.request_no}: 制卡完成，卡号 {approved.new_card.card_no}" in text and "完成 1 笔" in text
    assert pending.request_no not in text and deferred.request_no not in text
    event = AuditEvent.objects.filter(subject_id=approved.request_no,
                                      event_type="REQUEST_PRODUCTION_FINISHED").get()
    assert (event.actor_kind, event.actor_name) == ("system", "central-production")

    again = io.StringIO()
    call_command("finish_central_production", "--all-due", stdout=again)
    assert "完成 0 笔，未处理 0 笔" in again.getvalue()
    assert AuditEvent.objects.filter(subject_id=approved.request_no,
                                     event_type="REQUEST_PRODUCTION_FINISHED").count() == 1


def test_a_named_window_request_is_refused_and_left_alone(clerk_api, outlet):
    from sscard.testing.desk import fail_printer

    fail_printer(outlet)
    deferred = req_of(clerk_api.post("/applications", apply_body(name="沈九")))
    err = io.StringIO()
    call_command("finish_central_production", deferred.request_no, stdout=io.StringIO(), stderr=err)
    deferred.refresh_from_db()
    assert deferred.status == "in_production" and deferred.new_card_id is None
    assert "ACCESS_DENIED" in err.getvalue()
