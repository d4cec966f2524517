"""A 15-digit legacy ID number finds the same person as its 18 digits wherever an ID number is accepted:
the application and the status query (window and kiosk), the hotline's loss report and caller check, the
citizen sign-in, a batch's handler and rows, the window page's lookup and the admin search
(``people.idnumbers.canonical_number`` / ``people.lookup``)."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.test import RequestFactory
from django.urls import reverse

from sscard.batches.models import BatchRow
from sscard.cards.models import Card
from sscard.desk.hotline import caller_verify
from sscard.people.idnumbers import check_digit
from sscard.people.models import Person
from sscard.staff.actors import Actor
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import paper_batch_body
from sscard.testing.desk import apply_body

pytestmark = pytest.mark.django_db

LEGACY = "500103650412123"  # born 1965-04-12, a man
FULL = "50010319650412123" + check_digit("50010319650412123")


@pytest.fixture
def holder(db):
    person = f.make_person(id_number=FULL, name="张三")
    return person, f.make_card(person)


def legacy_doc() -> dict:
    return {"doc_type": "id_card", "number": LEGACY}


def test_an_application_by_the_legacy_number_is_found_by_a_status_query_with_it(clerk_api):
    resp = clerk_api.post("/applications", apply_body(number=LEGACY, name="张三"))
    assert resp.status_code in (200, 201), resp.content
    person = Person.objects.get()
    assert person.id_number == FULL
    for number in (LEGACY, FULL, FULL.lower()):
        resp = clerk_api.post("/cards/status-query", {"applicant": {"doc_type": "id_card", "number": number}})
        assert resp.status_code == 200, (number, resp.content)
        cards = list(person.cards.values_list("card_no", flat=True))
        assert [c["card_no"] for c in resp.json()["cards"]] == cards
        assert resp.json()["cards"]


def test_a_kiosk_loss_report_by_the_legacy_number(kiosk_api, holder):
    person, card = holder
    resp = kiosk_api.post("/cards/loss/report", {"applicant": legacy_doc()})
    assert resp.status_code == 200, resp.content
    assert Card.objects.get(pk=card.pk).state in ("lost_temp", "lost")


def test_a_hotline_loss_report_by_the_legacy_number(hotline_api, holder):
    person, card = holder
    resp = hotline_api.post("/cards/loss/report", {"applicant": legacy_doc()})
    assert resp.status_code == 200, resp.content
    assert Card.objects.get(pk=card.pk).state == "lost_temp"


def test_the_hotline_caller_check_accepts_the_legacy_number(holder):
    person, card = holder
    operator = Actor.for_staff(f.make_staff("hotline"))
    caller = caller_verify(actor=operator, card_no=card.card_no, name="张三", id_number=LEGACY)
    assert caller.person_id == person.pk


def test_the_citizen_signs_in_with_the_legacy_number(holder):
    person, _ = holder
    f.make_citizen(person, password="app-pass-123")
    resp = f.ApiClient().post("/auth/citizen-token", {"id_number": LEGACY, "password": "app-pass-123"})
    assert resp.status_code == 200, resp.content


def test_a_batch_handler_and_row_by_legacy_numbers(clerk_api, holder, django_capture_on_commit_callbacks):
    handler = f.make_person(id_number="50010319700101101" + check_digit("50010319700101101"), name="赵经办")
    employer = f.make_employer(handler=handler)
    row = {**bf.person_row(name="张三", doc_number=FULL), "doc_number": LEGACY}
    body = paper_batch_body(employer, [row])
    body["handler"] = {"doc_type": "id_card", "number": "500103700101101"}
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.post("/batches/paper", body)
    assert resp.status_code == 202, resp.content
    row = BatchRow.objects.get()
    person, _ = holder
    # the row's number is the holder's: the same person (who already has a card), never a second one
    assert Person.objects.filter(name="张三").count() == 1
    assert row.id_hash == person.id_hash


def test_the_window_page_finds_the_person_by_the_legacy_number(client, outlet, holder):
    person, card = holder
    client.force_login(f.make_staff("clerk", outlet).user)
    resp = client.post(reverse("web:window_find"), {"doc_type": "id_card", "number": LEGACY})
    assert resp.status_code == 200 and card.card_no in resp.content.decode()
    assert client.session["window_person_id"] == person.pk


def test_the_admin_search_finds_the_person_by_the_legacy_number(holder):
    person, _ = holder
    model_admin = admin_site._registry[Person]
    found, _ = model_admin.get_search_results(RequestFactory().get("/"), Person.objects.all(), LEGACY)
    assert list(found) == [person]
