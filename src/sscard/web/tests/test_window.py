"""The window workstation pages through the test client: access, finding a person (masked), the checklist,
an application and the one-call businesses, and bad input that changes nothing."""

import base64

import pytest
from django.urls import reverse

from sscard.archive.models import ArchiveItem
from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.cards.ecard import ecard_code_issue
from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.batch_files import jpeg_bytes, photo

pytestmark = pytest.mark.django_db


def data_url(content: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(content).decode()


@pytest.fixture
def clerk_client(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    client.force_login(clerk.user)
    return client


def evidence_fields() -> dict:
    image = data_url(jpeg_bytes(640, 480))
    return {"credential_1_data": image, "credential_2_data": image, "scene_data": image,
            "signature_data": data_url(jpeg_bytes(600, 200))}


def test_only_clerks_open_the_workstation(client, outlet):
    client.force_login(f.make_staff("reviewer").user)
    resp = client.get(reverse("web:window"))
    assert resp.status_code == 403
    assert "该环节须由服务窗口经办员办理" in resp.content.decode()


def test_a_clerk_is_sent_from_the_start_page_to_the_workstation(clerk_client):
    assert clerk_client.get(reverse("web:start"))["Location"] == reverse("web:window")


def test_finding_a_person_shows_the_masked_number_their_cards_and_keeps_only_the_id_in_the_session(
        clerk_client, adult):
    card = f.make_card(adult)
    resp = clerk_client.post(reverse("web:window_find"), {"doc_type": "id_card", "number": adult.id_number})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert adult.masked_id_number in page and adult.id_number not in page
    assert card.card_no in page and "正常" in page
    assert clerk_client.session["window_person_id"] == adult.pk


def test_an_unknown_number_says_so_and_offers_an_application(clerk_client):
    resp = clerk_client.post(reverse("web:window_find"), {"doc_type": "id_card", "number": "500103199001010011"})
    assert "未找到该证件对应的人员信息" in resp.content.decode() and "社保卡申领" in resp.content.decode()


def test_an_empty_lookup_is_a_clear_error(clerk_client):
    resp = clerk_client.post(reverse("web:window_find"), {"doc_type": "passport_x", "number": ""})
    assert resp.status_code == 400
    page = resp.content.decode()
    assert "请选择证件类型" in page and "请输入证件号码" in page


def test_the_checklist_follows_the_outlet(client):
    township = f.make_outlet(has_signature_pad=False, has_digital_archive=False)
    client.force_login(f.make_staff("clerk", township).user)
    page = client.get(reverse("web:window_checklist"), {"business": "apply", "role": "proxy_minor"}).content.decode()
    assert "代办人身份凭证" in page and "纸质资料存档编号" in page and "纸质表单签字" in page
    assert "凭证影像" not in page
    assert "请选择要办理的业务" in client.get(reverse("web:window_checklist"), {"business": "x"}).content.decode()


def test_an_application_with_nothing_names_every_missing_item_and_saves_nothing(clerk_client):
    resp = clerk_client.post(reverse("web:window_apply_submit"), {"role": "self"})
    page = resp.content.decode()
    assert resp.status_code == 400
    for text in ("请输入申办人证件号码", "请输入申办人姓名", "请输入联系电话", "请输入居住地址", "缺少1寸白底免冠登记照",
                 "缺少凭证影像", "缺少办理场景影像", "缺少数字签字板签名"):
        assert text in page, text
    assert not ServiceRequest.objects.exists() and not AuditEvent.objects.filter(event_type__startswith="REQUEST").exists()


def test_a_bad_image_is_named_and_never_a_500(clerk_client):
    resp = clerk_client.post(reverse("web:window_apply_review"), {"role": "self", "photo_data": "data:image/jpeg;base64,@@@"})
    assert resp.status_code == 200 and "照片：" in resp.content.decode()


def test_a_complete_application_is_made_at_once(clerk_client, outlet):
    number = f.id_number_for(f.adult_birth())
    resp = clerk_client.post(reverse("web:window_apply_submit"), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": number, "applicant_name": "刘一",
        "applicant_phone": "13900001111", "applicant_address": "重庆市渝中区民族路1号", "photo_data": data_url(photo()),
        **evidence_fields()})
    req = ServiceRequest.objects.get()
    assert resp["Location"] == reverse("web:window_request", kwargs={"no": req.request_no})
    assert (req.status, req.production_mode) == ("completed", "instant")
    page = clerk_client.get(resp["Location"]).content.decode()
    assert "已办结" in page and req.new_card.card_no in page and number not in page
    receipt = clerk_client.post(reverse("web:window_receipt", kwargs={"no": req.request_no}))
    assert receipt["Content-Type"] == "application/pdf" and receipt["Cache-Control"] == "no-store"
    assert b"reprint" not in receipt.content
    again = clerk_client.post(reverse("web:window_receipt", kwargs={"no": req.request_no}))
    assert again.status_code == 200 and again.content != receipt.content  # 「补打第 1 次」 on the reprint
    page = clerk_client.get(resp["Location"]).content.decode()
    assert "回执打印记录（2 次）" in page and "补打受理回执" in page
    assert clerk_client.get(reverse("web:window_receipt", kwargs={"no": req.request_no})).status_code == 405


def test_a_loss_report_at_the_window(clerk_client, adult):
    card = f.make_card(adult)
    resp = clerk_client.post(reverse("web:window_business_submit", kwargs={"business": "loss_report"}), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": adult.id_number, **evidence_fields()})
    card.refresh_from_db()
    assert card.state == "lost"
    req = ServiceRequest.objects.get(business="loss_report")
    assert resp["Location"] == reverse("web:window_request", kwargs={"no": req.request_no})
    kinds = sorted(ArchiveItem.objects.filter(subject_id=req.request_no).values_list("kind", flat=True))
    assert kinds == ["credential", "credential", "scene"]  # the catalogue asks no signature for a loss report


def test_a_status_query_shows_the_cards(clerk_client, adult):
    card = f.make_card(adult)
    resp = clerk_client.post(reverse("web:window_business_submit", kwargs={"business": "status_query"}), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": adult.id_number})
    page = resp.content.decode()
    assert resp.status_code == 200 and card.card_no in page and "查询结果" in page


def test_a_refusal_of_the_service_is_shown_with_its_message_and_changes_nothing(clerk_client, adult):
    card = f.make_card(adult, state="cancelled")
    resp = clerk_client.post(reverse("web:window_business_submit", kwargs={"business": "loss_report"}), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": adult.id_number, **evidence_fields()})
    assert 400 <= resp.status_code < 500
    assert "<title>错误：" in resp.content.decode()
    assert Card.objects.get(pk=card.pk).state == "cancelled"


def test_an_unknown_business_is_a_404_page(clerk_client):
    resp = clerk_client.get(reverse("web:window_business", kwargs={"business": "apply_twice"}))
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()


@pytest.mark.parametrize("business", ["activate", "reissue", "replace", "renew", "info_change", "pin_change",
                                      "pin_reset", "loss_report", "loss_withdraw", "unlock", "status_query",
                                      "cancel", "rollback"])
def test_every_window_business_has_its_form_and_review(clerk_client, business):
    assert clerk_client.get(reverse("web:window_business", kwargs={"business": business})).status_code == 200
    review = clerk_client.post(reverse("web:window_business_review", kwargs={"business": business}), {"role": "self"})
    assert review.status_code == 200 and "请输入申办人证件号码" in review.content.decode()


def test_the_queue_widget_calls_the_next_and_the_business_links_to_it(clerk_client, outlet):
    clerk_client.post(reverse("web:window_ticket"))
    widget = clerk_client.get(reverse("web:window_queue_widget")).content.decode()
    assert "等候 1 人" in widget and "未在服务" in widget
    page = clerk_client.post(reverse("web:window_queue", kwargs={"what": "next"})).content.decode()
    assert "A001" in page and "已呼叫下一位" in page
    assert "无法识别" in clerk_client.post(reverse("web:window_queue", kwargs={"what": "x"})).content.decode()
    number = f.id_number_for(f.adult_birth())
    resp = clerk_client.post(reverse("web:window_apply_submit"), {
        "role": "self", "applicant_doc_type": "id_card", "applicant_number": number, "applicant_name": "刘一",
        "applicant_phone": "13900001111", "applicant_address": "重庆市渝中区民族路1号", "photo_data": data_url(photo()),
        **evidence_fields()})
    assert "排队号</dt><dd>A001" in clerk_client.get(resp["Location"]).content.decode()


def test_a_wrong_check_digit_is_named_at_check_answers_and_the_images_are_kept(clerk_client):
    number = f.id_number_for(f.adult_birth())
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    fields = {"role": "self", "applicant_doc_type": "id_card", "applicant_number": wrong, "applicant_name": "刘一",
              "applicant_phone": "13900001111", "applicant_address": "重庆市渝中区民族路1号", **evidence_fields()}
    review = clerk_client.post(reverse("web:window_apply_review"), fields).content.decode()
    assert "申办人：居民身份证号码校验位不正确" in review
    resp = clerk_client.post(reverse("web:window_apply_submit"), fields)
    page = resp.content.decode()
    assert resp.status_code == 400 and not ServiceRequest.objects.exists()
    assert f'name="scene_data" data-value value="{fields["scene_data"]}"' in page
    assert f'value="{fields["signature_data"]}"' in page


# --------------------------------------------------------------------------- 电子社保卡码 and voucher QR


def _ecard_code(citizen) -> str:
    return ecard_code_issue(actor=Actor.for_citizen(citizen)).code


def test_an_ecard_code_identifies_the_holder_once_and_logs_the_look(clerk_client, citizen, adult):
    f.make_card(adult)
    code = _ecard_code(citizen)
    resp = clerk_client.post(reverse("web:window_scan"), {"code": code})
    page = resp.content.decode()
    assert resp.status_code == 200 and "已通过电子社保卡识别办理人" in page
    assert adult.masked_id_number in page and adult.id_number not in page
    assert clerk_client.session["window_person_id"] == adult.pk
    assert AccessLogEntry.objects.filter(operation="ecard.code_verify", person_id=adult.pk,
                                         channel="window").count() == 1
    again = clerk_client.post(reverse("web:window_scan"), {"code": code}).content.decode()
    assert "ECARD_CODE_USED" in again and "window_person_id" not in clerk_client.session


@pytest.mark.parametrize("code, shown", [("EC1garbled", "ECARD_CODE_INVALID"),
                                         ("EC1" + "x" * 500, "ECARD_CODE_INVALID"),
                                         ("PZ0000000000", "REQUEST_NOT_FOUND")])
def test_a_bad_code_says_why_and_identifies_nobody(clerk_client, code, shown):
    resp = clerk_client.post(reverse("web:window_scan"), {"code": code})
    assert resp.status_code == 200 and shown in resp.content.decode()
    assert "window_person_id" not in clerk_client.session


def test_an_empty_scan_is_a_clear_error(clerk_client):
    resp = clerk_client.post(reverse("web:window_scan"), {"code": "  "})
    assert resp.status_code == 400 and "请扫描或输入电子社保卡码、凭证号" in resp.content.decode()


def test_a_kiosk_voucher_number_identifies_the_applicant_and_links_the_request(clerk_client, adult, outlet):
    req = ServiceRequest.objects.create(
        request_no="YW2026030200000001", business="apply", channel="kiosk", applicant=adult, outlet=outlet,
        status="awaiting_voucher", voucher_no="PZ2026030200000001", created_at=adult.created_at,
        updated_at=adult.created_at)
    resp = clerk_client.post(reverse("web:window_scan"), {"code": "pz2026030200000001"})
    page = resp.content.decode()
    assert "已通过自助一体机凭证识别办理人" in page
    assert reverse("web:window_request", kwargs={"no": req.request_no}) in page
    assert clerk_client.session["window_person_id"] == adult.pk
