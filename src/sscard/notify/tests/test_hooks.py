"""Each business that notifies enqueues exactly one message, to the right person, with the right text, in
its own transaction: a card ready for pick-up (deferred window and central production), a loss report
(formal and temporary), a batch validated or failed, a batch's cards arrived at the outlet."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.core import clock
from sscard.hardware.simulated import simulated_faults
from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.models import OutboxMessage, SimulatedSms
from sscard.notify.relay import relay_once
from sscard.notify.selectors import messages_for
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import adults, paper_batch
from sscard.testing.cards import id_doc
from sscard.testing.desk import apply_body, fail_printer, originals, req_of

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Chongqing


def _one(subject_type, subject_id) -> OutboxMessage:
    messages = list(messages_for(subject_type, subject_id))
    assert len(messages) == 1, messages
    return messages[0]


def test_deferred_window_production_finished_tells_the_holder_once(clerk_api, outlet):
    fail_printer(outlet)
    req = req_of(clerk_api.post("/applications", apply_body(name="王小二")))
    assert req.production_mode == "deferred" and OutboxMessage.objects.count() == 0
    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {}))
    assert req.status == "ready_for_pickup"
    msg = _one("service_request", req.request_no)
    assert (msg.kind, msg.recipient, msg.person_id) == (MessageKind.CARD_READY, Recipient.HOLDER, req.applicant_id)
    assert msg.text == (f"【重庆社保卡】王**，您好：您办理的社会保障卡（业务编号{req.request_no}）已制作完成，"
                        f"请携带本人有效身份证件到{outlet.name}领取。")
    # handed over later: no second message
    req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    assert OutboxMessage.objects.count() == 1
    assert relay_once().sent == 1 and SimulatedSms.objects.get().text == msg.text


def test_a_card_handed_over_at_once_sends_nothing(clerk_api, outlet):
    fail_printer(outlet)
    req = req_of(clerk_api.post("/applications", apply_body()))
    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {"hand_over": True,
                                                                                   "originals_checked": originals(req)}))
    assert req.status == "completed" and OutboxMessage.objects.count() == 0


def test_central_production_names_the_pickup_outlet_and_a_posted_card_gets_no_pickup_message(
        citizen_api, adult, reviewer_api, supervisor_api):
    pickup = f.make_outlet(name="自取网点")
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "pickup", "pickup_outlet": pickup.code})
    req = req_of(citizen_api.post("/applications", body))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    assert req.status == "ready_for_pickup"
    assert _one("service_request", req.request_no).text.endswith("请携带本人有效身份证件到自取网点领取。")

    other = f.make_person(name="卫七")
    other_api = f.ApiClient(f.token_for(citizen=f.make_citizen(other)))
    posted = req_of(other_api.post("/applications", apply_body(
        number=other.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]}, delivery={"method": "post"})))
    req_of(reviewer_api.post(f"/requests/{posted.request_no}/approve", {}))
    posted = req_of(supervisor_api.post(f"/requests/{posted.request_no}/finish-production", {}))
    assert posted.status == "ready_for_pickup" and not messages_for("service_request", posted.request_no).exists()


def test_a_formal_loss_report_tells_the_holder(clerk_api, adult, card):
    clock.freeze(T0)
    r = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    msg = _one("service_request", r.json()["request"]["request_no"])
    assert (msg.kind, msg.person_id) == (MessageKind.LOSS_REPORTED, adult.pk)
    masked = card.card_no[:1] + "*****" + card.card_no[-3:]
    assert msg.text == (f"【重庆社保卡】张*，您好：您的社会保障卡（卡号{masked}）已于2026年3月2日10:00办理正式挂失，"
                        "挂失后该卡不能使用，可办理解挂或补卡。如非本人办理，请立即拨打12333。")


def test_a_phone_loss_report_tells_the_lapse_and_a_refused_one_adds_nothing(hotline_api, adult, card):
    clock.freeze(T0)
    assert hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)}).status_code == 200
    msg = OutboxMessage.objects.get()
    assert "办理临时挂失，有效至2026年3月17日10:00" in msg.text
    again = hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert again.status_code == 409 and OutboxMessage.objects.count() == 1


def test_a_validated_batch_tells_its_handler_the_counts(clerk_api, employer, outlet,
                                                        django_capture_on_commit_callbacks):
    emp, handler = employer
    rows = adults(2) + [bf.person_row(name="周错", phone="12")]
    batch_no = paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    msg = _one("batch", batch_no)
    assert (msg.kind, msg.recipient, msg.person_id) == (MessageKind.BATCH_VALIDATED, Recipient.EMPLOYER_HANDLER,
                                                        handler.pk)
    assert msg.text == (f"【重庆社保卡】{emp.name}：批量申领批次{batch_no}已校验完成，受理2人，未通过1人。"
                        f"未通过人员的明细请经办人到{outlet.name}查询。")


def test_a_batch_failing_its_file_checks_tells_its_handler(clerk_api, employer, outlet,
                                                           django_capture_on_commit_callbacks):
    emp, handler = employer
    meta = {"business": "batch_apply", "employer_uscc": emp.uscc, "evidence": f.window_evidence(),
            "handler": {"doc_type": "id_card", "number": handler.id_number}}
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.client.post("/api/v1/batches", headers=clerk_api._headers(None), data={
            "meta": json.dumps(meta), "workbook": SimpleUploadedFile("b.xlsx", b"not a workbook"),
            "scans": SimpleUploadedFile("s.zip", bf.scans_for([bf.person_row()]))})
    assert resp.status_code == 202, resp.content
    batch_no = resp.json()["batch_no"]
    assert clerk_api.get(f"/batches/{batch_no}").json()["status"] == "failed"
    msg = _one("batch", batch_no)
    assert (msg.kind, msg.person_id) == (MessageKind.BATCH_FAILED, handler.pk)
    assert msg.text == (f"【重庆社保卡】{emp.name}：批量申领批次{batch_no}未通过文件校验，未受理任何人员，"
                        f"请经办人到{outlet.name}查看原因，修改后重新提交。")


def test_a_batch_s_cards_arriving_tell_its_handler_once(clerk_api, staff_api, employer, outlet,
                                                        django_capture_on_commit_callbacks):
    emp, handler = employer
    batch_no = paper_batch(clerk_api, employer, adults(3), capture=django_capture_on_commit_callbacks)
    admin_api = staff_api("admin")
    assert admin_api.post("/production/exchange/run?simulate=true").status_code == 200
    order_no = clerk_api.get(f"/production/batches/{batch_no}").json()["orders"][0]["order_no"]
    assert not messages_for("production_order", order_no).exists()
    assert clerk_api.post(f"/production/orders/{order_no}/arrive").status_code == 200
    msg = _one("production_order", order_no)
    assert (msg.kind, msg.person_id) == (MessageKind.BATCH_CARDS_ARRIVED, handler.pk)
    assert msg.text == (f"【重庆社保卡】{emp.name}：批量申领批次{batch_no}的3张社会保障卡已到达{outlet.name}，"
                        "请经办人携带本人身份证件前往领取。")
    assert relay_once().sent == 2  # the validation's message and this one
