"""The kiosk's page session (web.kiosk_access, views.kiosk_session): binding the browser by the device
token, the customer signed in by the simulated ID reader, 退出 and the server-side idle end, and a
failing reader answered with 「请到窗口办理」, never a 5xx."""

import pytest
from django.urls import reverse

from sscard.hardware.interfaces import IdCardData
from sscard.hardware.simulated import SimulatedIdReader, simulated_faults
from sscard.staff.models import ApiToken
from sscard.testing import factories as f
from sscard.web.kiosk_access import CUSTOMER_SESSION_KEY, KIOSK_SESSION_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk():
    device = f.make_kiosk(f.make_outlet())
    return device, f.token_for(kiosk=device)


@pytest.fixture(autouse=True)
def clean_devices():
    yield
    SimulatedIdReader.clear()
    simulated_faults.clear_all()


def bind(client, raw):
    return client.post(reverse("web:kiosk_setup"), {"token": raw})


def test_an_unbound_browser_is_sent_to_the_setup_page(client):
    response = client.get(reverse("web:kiosk_home"))
    assert response.status_code == 302 and reverse("web:kiosk_setup") in response["Location"]


def test_a_wrong_or_revoked_token_does_not_bind(client, kiosk):
    device, raw = kiosk
    assert bind(client, "not-a-token").status_code == 400
    ApiToken.objects.filter(kiosk=device).update(revoked=True)
    assert bind(client, raw).status_code == 400
    assert KIOSK_SESSION_KEY not in client.session


def test_bound_kiosk_shows_the_welcome_page(client, kiosk):
    _device, raw = kiosk
    assert bind(client, raw).status_code == 302
    response = client.get(reverse("web:kiosk_home"))
    assert response.status_code == 200
    assert "社保卡自助服务" in response.content.decode()


def test_customer_signs_in_by_the_id_reader_and_out_again(client, kiosk):
    device, raw = kiosk
    person = f.make_person(name="王秀英")
    bind(client, raw)
    SimulatedIdReader.place(f"kiosk:{device.code}", IdCardData(
        name=person.name, id_number=person.id_number, gender="F", ethnicity="汉族",
        birth_date=person.birth_date, address="重庆市渝中区", issuing_authority="重庆市公安局",
        valid_until=None))
    response = client.post(reverse("web:kiosk_sign_in"), {"how": "id_card"})
    assert response.status_code == 302
    assert client.session[CUSTOMER_SESSION_KEY]["person"] == person.pk
    client.post(reverse("web:kiosk_sign_out"))
    assert CUSTOMER_SESSION_KEY not in client.session
    assert KIOSK_SESSION_KEY in client.session  # the device stays bound


def test_nothing_on_the_reader_is_a_clear_error(client, kiosk):
    _device, raw = kiosk
    bind(client, raw)
    response = client.post(reverse("web:kiosk_sign_in"), {"how": "id_card"})
    assert response.status_code == 400
    assert "没有读到身份证" in response.content.decode()
    assert CUSTOMER_SESSION_KEY not in client.session


def test_a_failing_reader_sends_the_customer_to_a_window(client, kiosk):
    device, raw = kiosk
    bind(client, raw)
    simulated_faults.fail("id_reader", f"kiosk:{device.code}")
    response = client.post(reverse("web:kiosk_sign_in"), {"how": "id_card"})
    assert response.status_code < 500
    assert "请到窗口办理" in response.content.decode()


def test_idle_customer_session_ends_on_the_server(client, kiosk, settings):
    device, raw = kiosk
    person = f.make_person()
    bind(client, raw)
    SimulatedIdReader.place(f"kiosk:{device.code}", IdCardData(
        name=person.name, id_number=person.id_number, gender="M", ethnicity="汉族",
        birth_date=person.birth_date, address="重庆市", issuing_authority="重庆市公安局", valid_until=None))
    client.post(reverse("web:kiosk_sign_in"), {"how": "id_card"})
    assert CUSTOMER_SESSION_KEY in client.session
    session = client.session
    held = session[CUSTOMER_SESSION_KEY]
    held["seen"] -= settings.SSCARD_KIOSK_IDLE_SECONDS + 60  # last seen past the idle time
    session[CUSTOMER_SESSION_KEY] = held
    session.save()
    client.get(reverse("web:kiosk_sign_in"))
    assert CUSTOMER_SESSION_KEY not in client.session
