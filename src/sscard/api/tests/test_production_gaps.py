"""Gaps of the production flow, shown through the API: the instant printer gets the archived photo (or the
holder's earlier one), an app-made card takes PIN businesses, the app lists the user's own businesses,
supervisors list overdue production, and nobody sees or prints a request that is not theirs."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from sscard.core import clock
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIssuancePrinter, SimulatedPinPad
from sscard.testing import factories as f
from sscard.testing.desk import apply_body, fail_printer, originals, reissue_body, req_of

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


def _app_body(person, **delivery):
    return apply_body(number=person.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery=delivery or {"method": "post"})


# ---------------------------------------------------------------- 1. the photo on the printed card


def test_reissue_without_new_photo_prints_the_photo_of_the_earlier_business(
        clerk_api, outlet, django_capture_on_commit_callbacks):
    body = apply_body(name="周一")
    with django_capture_on_commit_callbacks(execute=True):  # archived images reach storage on commit
        first = req_of(clerk_api.post("/applications", body))
    assert first.status == "completed"
    person = first.applicant
    activated = clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card",
                                                                 "number": person.id_number}})
    assert activated.status_code == 200, activated.json()
    SimulatedIssuancePrinter.clear()
    again = req_of(clerk_api.post("/cards/reissue", reissue_body(person, reason="lost")))
    again = req_of(clerk_api.post(f"/requests/{again.request_no}/settle-fee", {"method": "paid"}))
    assert again.status == "completed" and again.new_card_id != first.new_card_id
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == again.new_card.card_no and job.has_photo


def test_reissue_of_a_holder_without_any_archived_photo_prints_without_one(clerk_api, outlet):
    person = f.make_person(name="吴二")
    f.make_card(person, state="active")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(person, reason="lost")))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == req.new_card.card_no and not job.has_photo


def test_deferred_production_prints_the_photo_archived_with_the_request(
        clerk_api, outlet, django_capture_on_commit_callbacks):
    fail_printer(outlet)
    with django_capture_on_commit_callbacks(execute=True):
        req = req_of(clerk_api.post("/applications", apply_body(name="郑三")))
    assert req.status == "in_production" and req.production_mode == "deferred"
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production",
                                {"hand_over": True, "originals_checked": originals(req)}))
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert req.status == "completed" and job.card_no == req.new_card.card_no and job.has_photo


# ---------------------------------------------------------------- 2. chip of an app-made card


def test_app_made_card_finished_by_the_command_takes_a_pin_reset_then_verifies(
        citizen_api, adult, reviewer_api, clerk_api, outlet):
    req = req_of(citizen_api.post("/applications", _app_body(adult, method="pickup", pickup_outlet=outlet.code)))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    call_command("finish_central_production", "--all-due", stdout=io.StringIO())
    req.refresh_from_db()
    assert req.status == "ready_for_pickup"
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    card_no = req.new_card.card_no
    station = f"outlet:{outlet.code}"
    SimulatedCardTerminal.insert(station, card_no)
    doc = {"doc_type": "ss_card", "number": card_no}
    SimulatedPinPad.type(station, "135792")  # nobody knows the initial PIN
    first = clerk_api.post("/cards/pin/verify", {"applicant": doc})
    assert first.status_code == 422 and first.json()["code"] == "PIN_WRONG"
    SimulatedPinPad.type(station, "135792", "135792")
    reset = clerk_api.post("/cards/pin/reset", {"applicant": doc, "evidence": f.window_evidence()})
    assert reset.status_code == 200, reset.json()
    SimulatedPinPad.type(station, "135792")
    verify = clerk_api.post("/cards/pin/verify", {"applicant": doc})
    assert verify.status_code == 200 and verify.json()["ok"] is True


# ---------------------------------------------------------------- 4. the app's own list


def test_mine_lists_newest_first_with_limit_and_offset(citizen_api, adult, reviewer_api):
    clock.freeze(T0)
    first = req_of(citizen_api.post("/applications", _app_body(adult)))
    req_of(reviewer_api.post(f"/requests/{first.request_no}/reject", {"reason": "照片不清晰"}))
    clock.freeze(T0 + dt.timedelta(hours=1))
    second = req_of(citizen_api.post("/applications", _app_body(adult)))
    listed = citizen_api.get("/applications/mine")
    assert [r["request_no"] for r in listed.json()] == [second.request_no, first.request_no]
    assert [r["request_no"] for r in citizen_api.get("/applications/mine", limit=1).json()] == [second.request_no]
    page2 = citizen_api.get("/applications/mine", limit=1, offset=1).json()
    assert [r["request_no"] for r in page2] == [first.request_no] and page2[0]["status"] == "rejected"
    assert adult.id_number not in listed.content.decode() and adult.name not in listed.content.decode()


def test_mine_is_for_app_users_only(clerk_api):
    assert clerk_api.get("/applications/mine").status_code == 403


# ---------------------------------------------------------------- 5. overdue production


def test_supervisor_lists_production_past_due_with_hours_overdue(
        citizen_api, adult, reviewer_api, supervisor_api, staff_api, clerk_api, outlet):
    clock.freeze(T0)
    app = req_of(citizen_api.post("/applications", _app_body(adult)))
    app = req_of(reviewer_api.post(f"/requests/{app.request_no}/approve", {}))
    fail_printer(outlet)
    window = req_of(clerk_api.post("/applications", apply_body(name="冯四")))
    assert window.production_mode == "deferred" and app.production_mode == "central"
    assert supervisor_api.get("/requests/overdue").json() == []

    now = window.due_at + dt.timedelta(hours=3)
    assert now < app.due_at
    clock.freeze(now)
    rows = supervisor_api.get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no]
    row = rows[0]
    assert row["hours_overdue"] == 3.0 and row["outlet"] == outlet.name and row["business"] == "apply"
    assert row["applicant_name"] != "冯四" and row["applicant_name"].startswith("冯")

    clock.freeze(app.due_at + dt.timedelta(hours=1))
    rows = staff_api("admin").get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no, app.request_no]
    assert rows[1]["production_mode"] == "central" and rows[1]["hours_overdue"] == 1.0
    assert adult.id_number not in str(rows)

    # A card that was made and waits for pick-up is no longer overdue.
    call_command("finish_central_production", app.request_no, stdout=io.StringIO())
    rows = supervisor_api.get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no]
    assert len(supervisor_api.get("/requests/overdue", limit=1).json()) == 1


def test_overdue_list_refuses_clerks_reviewers_and_citizens(clerk_api, citizen_api, reviewer_api):
    for api in (clerk_api, citizen_api, reviewer_api):
        resp = api.get("/requests/overdue")
        assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED"


# ---------------------------------------------------------------- 6. who sees which request


def test_citizen_cannot_see_another_persons_request(citizen_api, adult):
    other = f.make_person(name="陈五")
    other_api = f.ApiClient(f.token_for(citizen=f.make_citizen(other)))
    theirs = req_of(other_api.post("/applications", _app_body(other)))
    resp = citizen_api.get(f"/requests/{theirs.request_no}")
    assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND"
    assert other_api.get(f"/requests/{theirs.request_no}").status_code == 200
    assert theirs.request_no not in citizen_api.get("/applications/mine").content.decode()
    void = citizen_api.post(f"/requests/{theirs.request_no}/void", {"reason": "不需要了"})
    assert void.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending_review"


def test_clerk_of_another_outlet_gets_404_on_a_request_of_this_outlet(clerk_api, outlet):
    outlet.has_signature_pad = False  # the request waits for its signed paper form at this outlet
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body(name="褚六")))
    stranger = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    for path in (f"/requests/{req.request_no}", f"/requests/{req.request_no}/form.pdf"):
        resp = stranger.get(path)
        assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND", path
    assert clerk_api.get(f"/requests/{req.request_no}").status_code == 200
    pdf = clerk_api.get(f"/requests/{req.request_no}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pdf_endpoints_refuse_a_citizen_even_on_their_own_request(citizen_api, adult):
    req = req_of(citizen_api.post("/applications", _app_body(adult)))
    assert citizen_api.get(f"/requests/{req.request_no}").status_code == 200
    for name in ("form.pdf", "voucher.pdf"):
        resp = citizen_api.get(f"/requests/{req.request_no}/{name}")
        assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED", name
