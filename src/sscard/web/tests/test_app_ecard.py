"""The app's 电子社保卡 page: it shows a fresh code's QR that a window accepts once, the masked card number
and the expiry; refusals are the app's error page; only a citizen page session opens it."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from sscard.cards.ecard import ecard_code_verify
from sscard.core.errors import Conflict
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.web.tests.test_app_pages import app_sign_in
from sscard.web.tests.test_i18n import PO, allowed_chinese, chinese_left, english, po_entries
from sscard.web.views import app_ecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder():
    person = f.make_person(name="李桂兰")
    card = f.make_card(person)
    return f.make_citizen(person), person, card


@pytest.fixture
def issued(monkeypatch):
    """The codes the page's service call issued (the QR carries the code; a test cannot scan it)."""
    codes = []
    real = app_ecard.ecard_code_issue

    def issue(**kwargs):
        codes.append(real(**kwargs))
        return codes[-1]

    monkeypatch.setattr(app_ecard, "ecard_code_issue", issue)
    return codes


def test_the_page_shows_a_code_a_window_accepts_once(client, holder, issued, clerk):
    _account, person, card = holder
    app_sign_in(client, person)
    resp = client.get(reverse("web:app_ecard"))
    page = resp.content.decode()
    assert resp.status_code == 200 and len(issued) == 1
    code = issued[0].code
    assert f'src="{app_ecard.qr_data_uri(code)}"' in page
    assert issued[0].card_no_masked in page and card.card_no not in page
    assert f'datetime="{localtime(issued[0].expires_at).isoformat()}"' in page
    assert localtime(issued[0].expires_at).strftime("%H:%M:%S") in page
    assert "还剩 60 秒失效" in page and "no-store" in resp["Cache-Control"]
    assert code not in repr(dict(client.session.items())) and code not in resp.get("Location", "")
    window = Actor.for_staff(clerk)
    assert ecard_code_verify(actor=window, code=code)["person_id"] == person.pk
    with pytest.raises(Conflict):
        ecard_code_verify(actor=window, code=code)


def test_refreshing_posts_and_the_next_page_has_a_new_code(client, holder, issued):
    _account, person, _card = holder
    app_sign_in(client, person)
    client.get(reverse("web:app_ecard"))
    resp = client.post(reverse("web:app_ecard"))
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_ecard")
    page = client.get(resp["Location"]).content.decode()
    assert len(issued) == 2 and issued[0].code != issued[1].code
    assert app_ecard.qr_data_uri(issued[1].code) in page


def test_the_refresh_form_needs_the_csrf_token(holder):
    _account, person, _card = holder
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("web:app_sign_in"))
    token = client.cookies["csrftoken"].value
    client.post(reverse("web:app_sign_in"), {"id_number": person.id_number, "password": "app-pass-123",
                                              "csrfmiddlewaretoken": token})
    assert client.post(reverse("web:app_ecard")).status_code == 403


def test_the_task_list_offers_the_ecard_only_for_an_active_card(client, holder):
    _account, person, card = holder
    app_sign_in(client, person)
    assert reverse("web:app_ecard") in client.get(reverse("web:app_tasks")).content.decode()
    card.state = "lost"
    card.save(update_fields=["state"])
    assert reverse("web:app_ecard") not in client.get(reverse("web:app_tasks")).content.decode()


def test_a_lost_card_gets_the_refusal_page(client, holder, issued):
    _account, person, card = holder
    card.state = "lost"
    card.save(update_fields=["state"])
    app_sign_in(client, person)
    resp = client.get(reverse("web:app_ecard"))
    page = resp.content.decode()
    assert resp.status_code == 422 and "ECARD_CARD_LOST" in page and "该社保卡已挂失" in page
    assert "data-error-summary" in page and issued == []


def test_no_card_gets_the_refusal_page(client):
    person = f.make_person()
    f.make_citizen(person)
    app_sign_in(client, person)
    resp = client.get(reverse("web:app_ecard"))
    page = resp.content.decode()
    assert resp.status_code == 404 and "ECARD_NO_CARD" in page and "您还没有可用的社会保障卡" in page
    assert reverse("web:app_ecard") not in client.get(reverse("web:app_tasks")).content.decode()


def test_a_staff_session_cannot_open_it(client, clerk):
    client.post(reverse("web:sign_in"), {"username": clerk.user.username, "password": "demo-pass-123"})
    assert client.get(reverse("web:window")).status_code == 200
    resp = client.get(reverse("web:app_ecard"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:app_sign_in"))


def test_the_page_in_english_keeps_no_chinese_of_its_own(client, holder):
    _account, person, _card = holder
    app_sign_in(client, person)
    english(client)
    pages = {"ecard": client.get(reverse("web:app_ecard")).content.decode(),
             "tasks": client.get(reverse("web:app_tasks")).content.decode()}
    allowed = allowed_chinese(po_entries(PO))
    left = {name: chinese_left(html.replace(person.name, ""), allowed) for name, html in pages.items()}
    assert {name: runs for name, runs in left.items() if runs} == {}
    assert "<h1>Electronic social security card</h1>" in pages["ecard"]
    assert "Refresh the QR code" in pages["ecard"]
