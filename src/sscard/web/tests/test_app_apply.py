"""社保卡申领 for self in the app's pages: one question per page, each answer checked when given, the
draft carried by the browser (never in the session), card_apply on the check page's submit."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.photos import photo_bytes
from sscard.web.public_access import CITIZEN_SESSION_KEY
from sscard.web.tests.test_i18n import PO, allowed_chinese, chinese_left, english, po_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(client):
    person = f.make_person(name="陈七")
    f.make_citizen(person)
    client.post(reverse("web:app_sign_in"), {"id_number": person.id_number, "password": "app-pass-123"})
    return person


def post(client, step, **data):
    return client.post(reverse("web:app_apply"), {"step": step, "go": "next", **data})


def test_the_task_list_offers_the_application_only_without_a_card(client, applicant):
    assert reverse("web:app_apply") in client.get(reverse("web:app_tasks")).content.decode()
    f.make_card(applicant)
    assert reverse("web:app_apply") not in client.get(reverse("web:app_tasks")).content.decode()
    resp = client.get(reverse("web:app_apply"))  # a stale link
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_tasks")


def test_each_page_asks_one_question_and_checks_it(client, applicant):
    first = client.get(reverse("web:app_apply")).content.decode()
    assert "第1步，共5步" in first and 'name="delivery" value="post"' in first
    resp = post(client, "delivery")
    assert resp.status_code == 400 and "请选择领卡方式" in resp.content.decode()
    resp = post(client, "delivery", delivery="post")
    assert resp.status_code == 200 and "第2步，共5步" in resp.content.decode()
    resp = post(client, "where", delivery="post", address="短")
    assert resp.status_code == 400 and "请填写完整的邮寄地址" in resp.content.decode()
    blue = photo_bytes(background=(40, 80, 200))
    resp = client.post(reverse("web:app_apply"), {"step": "photo", "go": "next", "delivery": "post",
                                                  "address": "重庆市渝北区龙溪街道8号", "photo": _file(blue)})
    assert resp.status_code == 400 and "照片背景应为白色" in resp.content.decode()
    assert not ServiceRequest.objects.exists()
    assert list(client.session.keys()) == [CITIZEN_SESSION_KEY]  # nothing of the draft in the session


def _file(content: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_the_check_page_submits_through_card_apply(client, applicant):
    photo = base64.b64encode(photo_bytes()).decode()
    answers = {"delivery": "post", "address": "重庆市渝北区龙溪街道8号",
               "photo_b64": photo, "document_b64": photo}
    check = post(client, "document", **answers)
    page = check.content.decode()
    assert check.status_code == 200 and "第5步，共5步" in page and "重庆市渝北区龙溪街道8号" in page
    resp = post(client, "check", **answers)
    req = ServiceRequest.objects.get(applicant=applicant)
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_done", args=[req.request_no])
    assert (req.business, req.channel, req.status, req.delivery) == ("apply", "app", "pending_review", "post")
    again = post(client, "check", **answers)  # a second submit: the service refuses, as a page
    assert again.status_code == 422 and "APPLICATION_PENDING" in again.content.decode()
    assert ServiceRequest.objects.filter(applicant=applicant).count() == 1


def test_tampered_answers_on_the_check_page_are_checked_again(client, applicant):
    answers = {"delivery": "post", "address": "重庆市渝北区龙溪街道8号",
               "photo_b64": base64.b64encode(b"not an image").decode(), "document_b64": "!!"}
    resp = post(client, "check", **answers)
    assert resp.status_code == 400 and "第3步，共5步" in resp.content.decode()
    assert not ServiceRequest.objects.exists()


def test_the_application_pages_in_english_keep_no_chinese_of_their_own(client, applicant):
    english(client)
    photo = base64.b64encode(photo_bytes()).decode()
    outlet = f.make_outlet().code
    answers = {"delivery": "pickup", "outlet": outlet, "photo_b64": photo, "document_b64": photo}
    pages = {"delivery": client.get(reverse("web:app_apply")).content.decode(),
             "delivery refused": post(client, "delivery").content.decode()}
    for step in ("delivery", "where", "photo", "document"):
        pages[f"after {step}"] = post(client, step, **answers).content.decode()
    done = post(client, "check", **answers)
    pages["done"] = client.get(done["Location"]).content.decode()
    pages["status"] = client.get(reverse("web:app_status")).content.decode()
    allowed = allowed_chinese(po_entries(PO))
    left = {name: chinese_left(html, allowed) for name, html in pages.items()}
    assert {name: runs for name, runs in left.items() if runs} == {}
    assert "Step 5 of 5" in pages["after document"] and "within 5 working days" in pages["status"]


def test_back_returns_to_the_previous_question_with_the_answers_kept(client, applicant):
    resp = client.post(reverse("web:app_apply"), {"step": "photo", "go": "back", "delivery": "post",
                                                  "address": "重庆市渝北区龙溪街道8号"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "第2步，共5步" in page and ">重庆市渝北区龙溪街道8号</textarea>" in page
