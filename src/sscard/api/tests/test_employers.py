"""Employers and their handlers through the API: registration (USCC validated), handlers, access, audit."""

import datetime as dt
import json

import pytest

from sscard.audit.models import AuditEvent
from sscard.employers.models import Employer, EmployerHandler
from sscard.people.models import Person
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

USCC = "91512081MA62K0260E"
BODY = {"uscc": USCC, "name": "重庆某某科技有限公司", "address": "重庆市渝北区金开大道100号",
        "contact_phone": "13912345678"}


def events(kind=None):
    qs = AuditEvent.objects.order_by("pk")
    return list(qs.filter(event_type=kind) if kind else qs)


@pytest.fixture
def employer(clerk_api):
    assert clerk_api.post("/employers", BODY).status_code == 201
    return Employer.objects.get(uscc=USCC)


def _handler_body(number=None, name="李四", **kw):
    return {"doc_type": "id_card", "number": number or f.id_number_for(dt.date(1990, 3, 1)), "name": name, **kw}


def test_register_an_employer(clerk_api, clerk):
    resp = clerk_api.post("/employers", {**BODY, "uscc": " 91512081ma62k0260e "})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["created"] is True
    assert body["employer"]["uscc"] == USCC
    assert body["employer"]["contact_phone"] == "139****5678"
    assert body["employer"]["registered_outlet"] == clerk.outlet.code
    emp = Employer.objects.get()
    assert (emp.uscc, emp.name, emp.contact_phone, emp.registered_outlet_id) == (USCC, BODY["name"], "13912345678",
                                                                                clerk.outlet_id)
    [ev] = events("EMPLOYER_REGISTERED")
    assert ev.subject_type == "employer" and ev.subject_id == str(emp.pk)
    assert ev.after["uscc"] == USCC and ev.after["contact_phone"] == "139****5678"
    assert "13912345678" not in json.dumps(ev.after, ensure_ascii=False)


def test_registering_again_with_the_same_name_changes_nothing(clerk_api, employer):
    before = len(events())
    resp = clerk_api.post("/employers", BODY)
    assert resp.status_code == 200
    assert resp.json()["created"] is False
    assert Employer.objects.count() == 1 and len(events()) == before


def test_the_same_code_under_another_name_is_refused(clerk_api, employer):
    before = len(events())
    resp = clerk_api.post("/employers", {**BODY, "name": "另一家公司"})
    assert resp.status_code == 409 and resp.json()["code"] == "EMPLOYER_EXISTS"
    assert Employer.objects.get().name == BODY["name"] and len(events()) == before


@pytest.mark.parametrize(("uscc", "code"), [("91512081MA62K0260F", "USCC_CHECK"), ("91512081MA62K0261E", "USCC_CHECK"),
                                            ("9151208IMA62K0260E", "USCC_FORMAT"), ("12345", "USCC_FORMAT")])
def test_a_bad_code_is_refused_and_nothing_is_stored(clerk_api, uscc, code):
    resp = clerk_api.post("/employers", {**BODY, "uscc": uscc})
    assert resp.status_code == 400 and resp.json()["code"] == code
    assert "统一社会信用代码" in resp.json()["message"]
    assert Employer.objects.count() == 0 and events() == []


def test_a_bad_contact_phone_is_refused(clerk_api):
    resp = clerk_api.post("/employers", {**BODY, "contact_phone": "12345"})
    assert resp.status_code == 400 and resp.json()["code"] == "EMPLOYER_PHONE_INVALID"
    assert Employer.objects.count() == 0


def test_add_a_new_person_as_handler(clerk_api, employer):
    number = f.id_number_for(dt.date(1990, 3, 1))
    resp = clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(number, phone="13700001111"))
    assert resp.status_code == 201, resp.content
    out = resp.json()
    assert out["name"] == "李*" and out["id_number"] == number[:4] + "*" * 10 + number[-4:]
    person = Person.objects.get(name="李四")
    assert person.id_number == number and person.birth_date == dt.date(1990, 3, 1) and person.phone == "13700001111"
    handler = EmployerHandler.objects.get()
    assert (handler.employer_id, handler.person_id, handler.is_active) == (employer.pk, person.pk, True)
    [created] = events("PERSON_CREATED")
    [added] = events("EMPLOYER_HANDLER_ADDED")
    assert added.person_id == person.pk and added.after["id_number"] == person.masked_id_number
    assert added.after["name"] == "李*" and added.after["uscc"] == USCC
    for ev in (created, added):
        assert number not in json.dumps([ev.after, ev.data], ensure_ascii=False)


def test_add_a_known_person_and_again_changes_nothing(clerk_api, employer, adult):
    body = _handler_body(adult.id_number, name=adult.name)
    assert clerk_api.post(f"/employers/{USCC}/handlers", body).status_code == 201
    assert events("PERSON_CREATED") == [] and len(events("EMPLOYER_HANDLER_ADDED")) == 1
    assert clerk_api.post(f"/employers/{USCC}/handlers", body).status_code == 201
    assert EmployerHandler.objects.count() == 1 and len(events("EMPLOYER_HANDLER_ADDED")) == 1


@pytest.mark.parametrize(("body", "status", "code"), [
    (_handler_body("500103198506150012"), 400, "ID_CHECK_DIGIT"),
    (_handler_body(f.id_number_for(dt.date(2015, 1, 1))), 422, "HANDLER_IS_MINOR"),
])
def test_a_bad_handler_is_refused_and_nothing_is_stored(clerk_api, employer, body, status, code):
    before = len(events())
    resp = clerk_api.post(f"/employers/{USCC}/handlers", body)
    assert resp.status_code == status and resp.json()["code"] == code
    assert Person.objects.count() == 0 and EmployerHandler.objects.count() == 0 and len(events()) == before


def test_a_name_that_does_not_match_the_known_person_is_refused(clerk_api, employer, adult):
    resp = clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name="王五"))
    assert resp.status_code == 400 and resp.json()["code"] == "HANDLER_NAME_MISMATCH"
    assert EmployerHandler.objects.count() == 0


def test_detail_lists_handlers_masked(staff_api, clerk_api, employer, adult):
    clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name=adult.name))
    resp = staff_api("supervisor").get(f"/employers/{USCC.lower()}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["name"] == BODY["name"] and body["contact_phone"] == "139****5678"
    assert [(h["name"], h["id_number"], h["is_active"]) for h in body["handlers"]] == [
        ("张*", adult.masked_id_number, True)]
    assert adult.id_number not in resp.content.decode() and "13912345678" not in resp.content.decode()


def test_unknown_employer(clerk_api):
    resp = clerk_api.get("/employers/91350100M000100Y43")
    assert resp.status_code == 404 and resp.json()["code"] == "EMPLOYER_NOT_FOUND"


def test_deactivate_a_handler(clerk_api, employer, adult):
    hid = clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name=adult.name)).json()["id"]
    resp = clerk_api.post(f"/employers/{USCC}/handlers/{hid}/deactivate")
    assert resp.status_code == 200 and resp.json()["is_active"] is False
    assert EmployerHandler.objects.get().is_active is False
    [ev] = events("EMPLOYER_HANDLER_DEACTIVATED")
    assert ev.person_id == adult.pk and ev.before == {"is_active": True} and ev.after == {"is_active": False}
    assert adult.id_number not in json.dumps(ev.data)
    again = clerk_api.post(f"/employers/{USCC}/handlers/{hid}/deactivate")
    assert again.status_code == 409 and again.json()["code"] == "HANDLER_INACTIVE"
    # Adding the person again reactivates the same row.
    assert clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name=adult.name)).status_code == 201
    assert EmployerHandler.objects.get().is_active is True
    assert events("EMPLOYER_HANDLER_ADDED")[-1].data == {"reactivated": True}


def test_a_handler_of_another_employer_is_not_found(clerk_api, employer, adult):
    hid = clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name=adult.name)).json()["id"]
    other = "91350100M000100Y43"
    assert clerk_api.post("/employers", {"uscc": other, "name": "福州某公司"}).status_code == 201
    resp = clerk_api.post(f"/employers/{other}/handlers/{hid}/deactivate")
    assert resp.status_code == 404 and resp.json()["code"] == "HANDLER_NOT_FOUND"
    assert clerk_api.post(f"/employers/{USCC}/handlers/x1/deactivate").status_code == 404
    assert EmployerHandler.objects.get().is_active is True


def test_admin_may_register_without_an_outlet(staff_api):
    resp = staff_api("admin").post("/employers", BODY)
    assert resp.status_code == 201 and resp.json()["employer"]["registered_outlet"] is None


def test_citizens_kiosks_and_supervisors_cannot_change_anything(citizen_api, kiosk_api, staff_api, clerk_api,
                                                                employer, adult):
    hid = clerk_api.post(f"/employers/{USCC}/handlers", _handler_body(adult.id_number, name=adult.name)).json()["id"]
    before = len(events())
    for api in (citizen_api, kiosk_api, staff_api("supervisor"), staff_api("reviewer")):
        assert api.post("/employers", {**BODY, "uscc": "91350100M000100Y43"}).status_code == 403
        assert api.post(f"/employers/{USCC}/handlers", _handler_body()).status_code == 403
        assert api.post(f"/employers/{USCC}/handlers/{hid}/deactivate").status_code == 403
    for api in (citizen_api, kiosk_api):
        assert api.get(f"/employers/{USCC}").status_code == 403
    assert Employer.objects.count() == 1 and EmployerHandler.objects.get().is_active is True
    assert Person.objects.count() == 1 and len(events()) == before
