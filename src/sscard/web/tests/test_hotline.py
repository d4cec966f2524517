"""12333 热线服务台: caller verification, the phone's temporary loss with its lapse time, the status query."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.cards.models import Card
from sscard.core import clock
from sscard.policy.catalogue import DEFAULT_PATH
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.cards import snapshot
from sscard.web.views.hotline import SESSION_KEY

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def operator(client):
    staff = f.make_staff("hotline")
    client.force_login(staff.user)
    return staff


def verify(client, card, *, name="张三", id_number=None, person=None):
    return client.post(reverse("web:hotline"), {"card_no": card.card_no, "name": name,
                                                "id_number": id_number or (person or card.person).id_number})


# ---------------------------------------------------------------- access


def test_without_a_session_the_desk_sends_to_sign_in(client):
    for resp in (client.get(reverse("web:hotline")), client.post(reverse("web:hotline_loss")),
                 client.post(reverse("web:hotline_status"))):
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:sign_in"))


@pytest.mark.parametrize("role", ["clerk", "reviewer", "supervisor", "auditor", "admin"])
def test_other_roles_are_refused_and_change_nothing(client, role, card):
    staff = f.make_staff(role, f.make_outlet() if role == "clerk" else None)
    client.force_login(staff.user)
    before = snapshot(card)
    for resp in (client.get(reverse("web:hotline")), verify(client, card), client.get(reverse("web:hotline_loss")),
                 client.post(reverse("web:hotline_loss")), client.post(reverse("web:hotline_status"))):
        assert resp.status_code == 403, resp.content[:300]
    assert snapshot(card) == before and SESSION_KEY not in client.session


def test_a_hotline_operator_lands_on_the_desk(client, operator):
    assert client.get(reverse("web:start"))["Location"] == reverse("web:hotline")
    page = client.get(reverse("web:hotline")).content.decode()
    for field, label in (("card_no", "社保卡号"), ("name", "持卡人姓名"), ("id_number", "持卡人身份证号码")):
        assert f'<label for="field-{field}">{label}</label>' in page


# ---------------------------------------------------------------- verification


def test_a_verified_caller_is_shown_masked_recorded_and_kept_without_clear_values(client, operator, adult, card):
    resp = verify(client, card)
    assert resp.status_code == 302
    page = client.get(reverse("web:hotline")).content.decode()
    assert "身份核验通过" in page and "张*" in page and adult.masked_id_number in page
    assert adult.id_number not in page and card.card_no not in page
    kept = str(client.session[SESSION_KEY])
    assert adult.id_number not in kept and card.card_no not in kept and "张三" not in kept
    event = AuditEvent.objects.get(event_type="CALLER_VERIFIED")
    assert (event.actor_id, event.subject_id, event.person_id) == (operator.pk, card.card_no, adult.pk)


def test_a_mismatch_is_refused_recorded_and_keeps_no_caller(client, operator, adult, card):
    resp = verify(client, card, name="张四")
    page = resp.content.decode()
    assert resp.status_code == 422 and "<title>错误：" in page and "身份核验未通过" in page
    assert adult.id_number not in page
    assert SESSION_KEY not in client.session
    assert audit_types(event_type="CALLER_VERIFICATION_FAILED") == ["CALLER_VERIFICATION_FAILED"]


@pytest.mark.parametrize("data", [
    {}, {"card_no": " ", "name": "", "id_number": ""}, {"card_no": "x" * 5000, "name": "张" * 5000, "id_number": "1" * 5000},
    {"card_no": "<script>", "name": "'; DROP TABLE", "id_number": "\x00\x01"}, {"card_no": ["a", "b"]},
    {"card_no": "B\x00\x00\x00123", "name": "\x00", "id_number": "5001\x00"},
])
def test_bad_input_is_never_a_5xx_and_changes_nothing(client, operator, card, data):
    before = snapshot(card)
    resp = client.post(reverse("web:hotline"), data)
    assert resp.status_code in (400, 422) and "<script>" not in resp.content.decode()
    assert snapshot(card)[:3] == before[:3] and SESSION_KEY not in client.session


def test_every_missing_value_is_named_at_its_field(client, operator):
    page = client.post(reverse("web:hotline"), {}).content.decode()
    for field in ("card_no", "name", "id_number"):
        assert f'href="#field-{field}"' in page and f'id="{field}-error"' in page


def test_the_caller_lapses_after_the_configured_minutes_and_on_ending_the_call(client, operator, card, settings):
    settings.SSCARD_HOTLINE_CALLER_MINUTES = 10
    clock.freeze(T0)
    verify(client, card)
    clock.advance(dt.timedelta(minutes=9))
    assert "来电人（已核验）" in client.get(reverse("web:hotline")).content.decode()
    clock.advance(dt.timedelta(minutes=2))
    before = snapshot(card)
    resp = client.post(reverse("web:hotline_loss"))
    assert resp.status_code == 302 and snapshot(card) == before
    assert "已超过有效时间" in client.get(resp["Location"]).content.decode()
    assert SESSION_KEY not in client.session
    verify(client, card)
    resp = client.post(reverse("web:hotline_end"))
    assert resp.status_code == 302 and SESSION_KEY not in client.session
    assert "通话已结束" in client.get(resp["Location"]).content.decode()


def test_another_operator_does_not_inherit_a_caller(client, operator, card):
    verify(client, card)
    session = client.session
    kept = session[SESSION_KEY]
    client.force_login(f.make_staff("hotline").user)  # a new session, but even a copied value is refused
    session = client.session
    session[SESSION_KEY] = kept
    session.save()
    assert "核验来电人身份" in client.get(reverse("web:hotline")).content.decode()


# ---------------------------------------------------------------- the temporary loss


def test_the_phone_loss_is_checked_then_temporary_with_its_lapse_time(client, operator, adult, card):
    clock.freeze(T0)
    verify(client, card)
    page = client.get(reverse("web:hotline_loss")).content.decode()
    assert "核对信息" in page and "15 天后自动解除" in page and adult.masked_id_number in page
    assert Card.objects.get(pk=card.pk).state == "active"  # nothing happens before 确认挂失
    resp = client.post(reverse("web:hotline_loss"))
    page = resp.content.decode()
    assert resp.status_code == 200 and "临时挂失已办理" in page
    row = Card.objects.get(pk=card.pk)
    assert row.state == "lost_temp" and row.temp_loss_expires_at == T0 + dt.timedelta(days=15)
    assert "2026年3月17日 10:00" in page and card.card_no not in page
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_LOSS_REPORTED_TEMPORARY"
    event = AuditEvent.objects.get(event_type="CARD_LOSS_REPORTED_TEMPORARY")
    assert (event.channel, event.actor_id) == ("phone", operator.pk)


def test_a_second_phone_loss_is_refused_with_the_rule_and_changes_nothing(client, operator, card):
    verify(client, card)
    client.post(reverse("web:hotline_loss"))
    before = snapshot(card)
    resp = client.post(reverse("web:hotline_loss"))
    page = resp.content.decode()
    assert resp.status_code == 409 and "LOSS_ALREADY_REPORTED" in page and "依据" in page
    assert snapshot(card) == before


def test_a_card_that_ended_is_refused_on_the_phone(client, operator, adult, card):
    verify(client, card)
    Card.objects.filter(pk=card.pk).update(state="cancelled")
    resp = client.post(reverse("web:hotline_loss"))
    assert resp.status_code == 422 and "CARD_NOT_CURRENT" in resp.content.decode()


# ---------------------------------------------------------------- the status query


def test_the_catalogue_does_not_offer_the_status_query_by_phone_and_the_desk_says_so(client, operator, card):
    verify(client, card)
    before = snapshot(card)
    resp = client.post(reverse("web:hotline_status"), headers={"HX-Request": "true"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in page  # the result region only
    assert "BUSINESS_NOT_ON_CHANNEL" in page and "依据" in page
    assert snapshot(card) == before
    full = client.post(reverse("web:hotline_status"))
    assert full.status_code == 422 and "<html" in full.content.decode()


@pytest.fixture
def phone_status_query(settings, tmp_path):
    """A catalogue that offers the status query on the phone (the page follows the catalogue)."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    text = text.replace('[status_query.app.self]\n', '[status_query.phone.self]\nevidence = "voice"\n\n'
                        '[status_query.app.self]\n')
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    settings.SSCARD_CATALOGUE_PATH = str(path)


def test_where_the_catalogue_offers_it_the_status_is_answered_masked(client, operator, adult, card,
                                                                    phone_status_query):
    verify(client, card)
    resp = client.post(reverse("web:hotline_status"), headers={"HX-Request": "true"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "应用状态" in page and "正常" in page
    assert card.card_no not in page and card.card_no[-3:] in page
    assert [(e.operation, e.channel, e.person_id) for e in AccessLogEntry.objects.all()] == [
        ("card.status_query", "phone", adult.pk)]  # a read: the access log, no audit event


def test_a_status_query_without_a_verified_caller_asks_for_one(client, operator):
    resp = client.post(reverse("web:hotline_status"), headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "请先核验来电人身份" in resp.content.decode()
