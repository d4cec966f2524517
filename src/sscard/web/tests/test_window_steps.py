"""The steps after a window submission: the paper form at an outlet without a pad, the fee, the deferred
card made once the device works again, through the pages."""

import pytest
from django.urls import reverse

from sscard.archive.models import PaperArchiveRecord
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.batch_files import photo
from sscard.web.tests.test_window import data_url, evidence_fields

pytestmark = pytest.mark.django_db


def _apply(client, **extra):
    number = f.id_number_for(f.adult_birth())
    return client.post(reverse("web:window_apply_submit"), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": number, "applicant_name": "孙二",
        "applicant_phone": "13900002222", "applicant_address": "重庆市万州区龙沙镇1号", "photo_data": data_url(photo()),
        **extra})


def test_an_outlet_without_pad_or_archive_prints_the_form_and_records_the_paper(client):
    township = f.make_outlet(has_signature_pad=False, has_digital_archive=False)
    client.force_login(f.make_staff("clerk", township).user)
    resp = _apply(client, paper_ref="WZ-2026-0001")
    req = ServiceRequest.objects.get()
    assert req.status == "awaiting_signature"
    page = client.get(resp["Location"]).content.decode()
    assert "打印业务表单" in page and "登记已签字表单" in page
    form = client.get(reverse("web:window_form_pdf", kwargs={"no": req.request_no}))
    assert form["Content-Type"] == "application/pdf"
    empty = client.post(reverse("web:window_signed_form", kwargs={"no": req.request_no}), {"reference": ""})
    assert "请填写已签字表单的存档编号" in client.get(empty["Location"]).content.decode()
    client.post(reverse("web:window_signed_form", kwargs={"no": req.request_no}), {"reference": "WZ-QZ-0001"})
    req.refresh_from_db()
    assert req.status == "completed" and req.new_card is not None
    assert PaperArchiveRecord.objects.filter(subject_id=req.request_no, kind="signed_form").exists()


def test_a_deferred_card_is_made_once_the_device_works_again(client):
    outlet = f.make_outlet(issuance_status="device_failed")
    client.force_login(f.make_staff("clerk", outlet).user)
    _apply(client, **evidence_fields())
    req = ServiceRequest.objects.get()
    assert (req.status, req.production_mode) == ("in_production", "deferred")
    queue = client.get(reverse("web:window_deferred")).content.decode()
    assert req.request_no in queue and "修复后" in queue
    page = client.get(reverse("web:window_request", kwargs={"no": req.request_no})).content.decode()
    assert "修复前不能制卡" in page and "制卡并发放" not in page
    outlet.issuance_status = "working"
    outlet.save()
    finish = reverse("web:window_finish", kwargs={"no": req.request_no})
    refused = client.get(client.post(finish, {})["Location"]).content.decode()
    assert "未核验：申办人居民身份证" in refused
    client.post(finish, {"originals": ["applicant:id_card"]})
    req.refresh_from_db()
    assert req.status == "completed" and req.new_card.issued_at is not None
    assert req.request_no not in client.get(reverse("web:window_deferred")).content.decode()


def test_a_reissue_fee_is_settled_at_the_window(client, outlet, adult):
    f.make_card(adult)
    client.force_login(f.make_staff("clerk", outlet).user)
    resp = client.post(reverse("web:window_business_submit", kwargs={"business": "reissue"}), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": adult.id_number, "reason": "lost",
        **evidence_fields()})
    req = ServiceRequest.objects.get(business="reissue")
    assert req.status == "awaiting_fee" and req.fee_amount_fen > 0
    assert "确认收费" in client.get(resp["Location"]).content.decode()
    client.post(reverse("web:window_settle_fee", kwargs={"no": req.request_no}), {"method": "paid"})
    req.refresh_from_db()
    assert req.status == "completed" and req.payment.receipt_no
