import io

import pytest
from django.core.management import CommandError, call_command

from sscard.desk.tests.helpers import *  # noqa: F403
from sscard.desk.tests.helpers import apply_body, audit_types, f, req_of

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
