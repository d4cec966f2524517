"""The citizen app's web views: the page session (sign-in through citizen_sign_in, kept apart from the
staff session), the access checks of ``@citizen_page``, the task list, the status page and the loss
report and withdrawal journey."""

import pytest
from django.urls import reverse

from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.staff.accounts import citizen_account_disable
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken
from sscard.testing import factories as f
from sscard.web.public_access import CITIZEN_SESSION_KEY
from sscard.web.tests.test_i18n import PO, allowed_chinese, chinese_left, english, po_entries

pytestmark = pytest.mark.django_db
PASSWORD = "app-pass-123"


@pytest.fixture
def holder():
    person = f.make_person(name="李桂兰")
    card = f.make_card(person)
    return f.make_citizen(person), person, card


def app_sign_in(client, person, password=PASSWORD, next_url=None):
    data = {"id_number": person.id_number, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("web:app_sign_in"), data)


def test_signing_in_keeps_only_ids_in_the_session_and_audits_it(client, holder):
    account, person, _card = holder
    resp = app_sign_in(client, person)
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_tasks")
    held = client.session[CITIZEN_SESSION_KEY]
    token = ApiToken.objects.get(citizen=account, revoked=False)
    assert held == {"account": account.pk, "token": token.pk}
    stored = repr(dict(client.session.items()))
    assert person.id_number not in stored and person.name not in stored
    assert AuditEvent.objects.filter(event_type="CITIZEN_SIGNED_IN", subject_id=str(account.pk)).exists()


def test_a_wrong_password_and_an_unknown_number_get_the_same_answer(client, holder):
    _account, person, _card = holder
    wrong = app_sign_in(client, person, password="not-it-123")
    unknown = client.post(reverse("web:app_sign_in"), {"id_number": f.id_number_for(f.adult_birth()),
                                                         "password": "not-it-123"})
    assert wrong.status_code == unknown.status_code == 400
    text = "证件号码或密码错误"
    assert text in wrong.content.decode() and text in unknown.content.decode()
    assert f'value="{person.id_number}"' in wrong.content.decode()  # kept for typing again
    assert CITIZEN_SESSION_KEY not in client.session
    failures = AuditEvent.objects.filter(event_type="SIGN_IN_FAILED", channel="app")
    assert [e.data["via"] for e in failures] == ["session", "session"]


def test_empty_fields_are_named(client):
    resp = client.post(reverse("web:app_sign_in"), {"id_number": "", "password": ""})
    page = resp.content.decode()
    assert resp.status_code == 400 and "请输入身份证号码" in page and "请输入密码" in page


def test_the_lockout_of_the_api_sign_in_applies(client, holder, settings):
    _account, person, _card = holder
    for _ in range(settings.AXES_FAILURE_LIMIT):
        app_sign_in(client, person, password="not-it-123")
    resp = app_sign_in(client, person)  # the right password, once locked
    assert resp.status_code == 429
    assert CITIZEN_SESSION_KEY not in client.session


def test_a_citizen_page_without_a_session_sends_to_the_app_sign_in(client):
    resp = client.get(reverse("web:app_status"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("web:app_sign_in") + "?next=%2Fapp%2Fstatus%2F"


def test_sign_in_returns_to_an_app_page_only(client, holder):
    _account, person, _card = holder
    assert app_sign_in(client, person, next_url="/app/status/")["Location"] == "/app/status/"
    client.post(reverse("web:app_sign_out"))
    assert app_sign_in(client, person, next_url="/supervisor/")["Location"] == reverse("web:app_tasks")
    client.post(reverse("web:app_sign_out"))
    outside = app_sign_in(client, person, next_url="https://evil.example/app/")
    assert outside["Location"] == reverse("web:app_tasks")


def test_a_citizen_session_never_opens_staff_pages(client, holder):
    _account, person, _card = holder
    app_sign_in(client, person)
    for name in ("web:start", "web:window", "web:review_queue", "web:dashboard"):
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:sign_in")), name


def test_a_staff_session_never_opens_citizen_pages(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    client.post(reverse("web:sign_in"), {"username": clerk.user.username, "password": "demo-pass-123"})
    assert client.get(reverse("web:window")).status_code == 200
    for name in ("web:app_tasks", "web:app_status", "web:app_loss_report"):
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:app_sign_in")), name


def test_a_staff_sign_in_on_a_citizen_session_does_not_keep_the_citizen(client, holder, outlet):
    _account, person, _card = holder
    app_sign_in(client, person)
    clerk = f.make_staff("clerk", outlet)
    client.post(reverse("web:sign_in"), {"username": clerk.user.username, "password": "demo-pass-123"})
    assert client.get(reverse("web:window")).status_code == 200
    assert client.get(reverse("web:app_tasks")).status_code == 302


def test_the_citizen_sign_in_ends_a_staff_session(client, holder, outlet):
    _account, person, _card = holder
    clerk = f.make_staff("clerk", outlet)
    client.post(reverse("web:sign_in"), {"username": clerk.user.username, "password": "demo-pass-123"})
    app_sign_in(client, person)
    assert client.get(reverse("web:app_tasks")).status_code == 200
    resp = client.get(reverse("web:window"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:sign_in"))


def test_sign_out_revokes_the_token_and_ends_the_session(client, holder):
    account, person, _card = holder
    app_sign_in(client, person)
    resp = client.post(reverse("web:app_sign_out"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:app_sign_in"))
    assert not ApiToken.objects.filter(citizen=account, revoked=False).exists()
    assert AuditEvent.objects.filter(event_type="API_TOKEN_REVOKED", subject_id=str(account.pk)).exists()
    assert client.get(reverse("web:app_tasks")).status_code == 302


def test_disabling_the_account_ends_the_page_session(client, holder):
    account, person, _card = holder
    app_sign_in(client, person)
    assert client.get(reverse("web:app_tasks")).status_code == 200
    citizen_account_disable(actor=Actor.system(), account=account)
    assert client.get(reverse("web:app_tasks")).status_code == 302


def test_a_new_sign_in_elsewhere_ends_this_page_session(client, holder):
    _account, person, _card = holder
    app_sign_in(client, person)
    other = client.__class__()
    app_sign_in(other, person)
    assert client.get(reverse("web:app_tasks")).status_code == 302
    assert other.get(reverse("web:app_tasks")).status_code == 200


def test_the_task_list_follows_the_catalogue_and_the_card_state(client, holder):
    _account, person, card = holder
    app_sign_in(client, person)
    page = client.get(reverse("web:app_tasks")).content.decode()
    assert reverse("web:app_loss_report") in page and reverse("web:app_loss_withdraw") not in page
    assert card.card_no not in page  # masked
    card.state = "lost"
    card.save(update_fields=["state"])
    page = client.get(reverse("web:app_tasks")).content.decode()
    assert reverse("web:app_loss_report") not in page and reverse("web:app_loss_withdraw") in page


def test_loss_report_and_withdrawal_through_the_desk_services(client, holder):
    account, person, card = holder
    app_sign_in(client, person)
    check = client.get(reverse("web:app_loss_report"))
    assert check.status_code == 200 and "确认挂失" in check.content.decode()
    resp = client.post(reverse("web:app_loss_report"))
    req = ServiceRequest.objects.get(business="loss_report", applicant=person)
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_done", args=[req.request_no])
    assert (req.channel, req.citizen_id) == ("app", account.pk)
    card.refresh_from_db()
    assert card.state == "lost"
    done = client.get(resp["Location"]).content.decode()
    assert req.request_no in done and "解挂" in done
    status = client.get(reverse("web:app_status")).content.decode()
    assert req.request_no in status and card.card_no not in status
    client.post(reverse("web:app_loss_withdraw"))
    card.refresh_from_db()
    assert card.state == "active"
    events = list(AuditEvent.objects.filter(subject_type="card", subject_id=card.card_no)
                  .order_by("at").values_list("event_type", "actor_kind"))
    assert events == [("CARD_LOSS_REPORTED", "citizen"), ("CARD_LOSS_WITHDRAWN", "citizen")]


def test_the_status_page_is_the_status_query_with_its_access_log_row(client, holder):
    _account, person, card = holder
    app_sign_in(client, person)
    page = client.get(reverse("web:app_status")).content.decode()
    assert "正常" in page and card.card_no not in page and person.id_number not in page
    row = AccessLogEntry.objects.get()
    assert (row.operation, row.actor_kind, row.channel, row.person_id, row.card_ids) == (
        "card.status_query", "citizen", "app", person.pk, [card.pk])


def test_signing_in_gives_a_new_session_and_csrf_token(client, holder):
    _account, person, _card = holder
    client.get(reverse("web:app_sign_in"))
    before = (client.cookies["csrftoken"].value, client.session.session_key)
    app_sign_in(client, person)
    after = (client.cookies["csrftoken"].value, client.session.session_key)
    assert before[0] != after[0] and before[1] != after[1]


def test_a_refusal_of_the_service_is_a_page_not_a_5xx(client, holder):
    _account, person, card = holder
    app_sign_in(client, person)
    resp = client.post(reverse("web:app_loss_withdraw"))  # the card is not lost
    assert resp.status_code == 422
    page = resp.content.decode()
    assert "CARD_STATE_NOT_ALLOWED" in page
    card.refresh_from_db()
    assert card.state == "active"


def test_a_stale_link_to_a_business_not_offered_goes_to_the_task_list(client, holder):
    _account, person, _card = holder
    app_sign_in(client, person)
    resp = client.get(reverse("web:app_loss_withdraw"))
    assert resp.status_code == 302 and resp["Location"] == reverse("web:app_tasks")


def test_another_persons_business_is_not_found(client, holder):
    _account, person, _card = holder
    other = f.make_person(name="王五")
    f.make_card(other)
    f.make_citizen(other)
    c2 = client.__class__()
    app_sign_in(c2, other)
    c2.post(reverse("web:app_loss_report"))
    theirs = ServiceRequest.objects.get(applicant=other)
    app_sign_in(client, person)
    resp = client.get(reverse("web:app_done", args=[theirs.request_no]))
    assert resp.status_code == 404 and "REQUEST_NOT_FOUND" in resp.content.decode()
    assert "王五" not in resp.content.decode()


def test_a_person_with_no_card_sees_no_card_business(client):
    person = f.make_person()
    f.make_citizen(person)
    app_sign_in(client, person)
    page = client.get(reverse("web:app_tasks")).content.decode()
    assert reverse("web:app_loss_report") not in page and reverse("web:app_status") in page
    assert not Card.objects.filter(person=person).exists()


def test_the_app_pages_in_english_keep_no_chinese_of_their_own(client, holder):
    _account, person, card = holder
    english(client)
    pages = {"sign-in": client.get(reverse("web:app_sign_in")).content.decode()}
    pages["sign-in failed"] = client.post(reverse("web:app_sign_in"), {"id_number": "", "password": ""}
                                          ).content.decode()
    app_sign_in(client, person)
    english(client)
    for name in ("web:app_tasks", "web:app_loss_report"):
        pages[name] = client.get(reverse(name)).content.decode()
    done = client.post(reverse("web:app_loss_report"))
    pages["done"] = client.get(done["Location"]).content.decode()
    pages["status"] = client.get(reverse("web:app_status")).content.decode()
    pages["withdraw"] = client.get(reverse("web:app_loss_withdraw")).content.decode()
    allowed = allowed_chinese(po_entries(PO))
    left = {name: chinese_left(html.replace(person.name, ""), allowed) for name, html in pages.items()}
    assert {name: runs for name, runs in left.items() if runs} == {}
    assert all('<html lang="en">' in html for html in pages.values())
    assert "<h1>My social security card</h1>" in pages["web:app_tasks"]
    assert "What happens next" in pages["done"]
