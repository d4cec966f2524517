"""The relay: a rollback sends nothing, a committed message is sent once after a restart, a crash between
sending and recording does not deliver twice, failures are retried with backoff or listed as failed, and
the phone is read (decrypted) only when the message is sent."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from sscard.core import clock, crypto
from sscard.desk.intake import DocInput, EvidenceInput
from sscard.desk.lifecycle import card_loss_report
from sscard.notify.choices import MessageKind, MessageState, Recipient
from sscard.notify.models import OutboxMessage, SimulatedSms
from sscard.notify.relay import relay_once
from sscard.notify.selectors import messages_failed, outbox_counts
from sscard.notify.services import notify_enqueue
from sscard.notify.tests import gateways
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


class Boom(Exception):
    pass


def _enqueue(person, subject_id="R1") -> OutboxMessage:
    with transaction.atomic():
        return notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=person.pk,
                              subject=("service_request", subject_id),
                              params={"name": person.name, "request_no": subject_id, "outlet": "渝中网点"})


def _state(msg) -> tuple:
    msg.refresh_from_db()
    return msg.state, msg.attempts


def test_a_rolled_back_business_leaves_no_message_and_sends_nothing(clerk, adult, counting):
    f.make_card(adult)
    image = f.jpeg_bytes(320, 240)
    with pytest.raises(Boom), transaction.atomic():
        card_loss_report(actor=Actor.for_staff(clerk), applicant=DocInput("id_card", adult.id_number),
                         evidence=EvidenceInput(credential_images=[image], scene_image=image))
        assert OutboxMessage.objects.count() == 1  # written in the business's transaction ...
        raise Boom()  # ... which then fails
    assert OutboxMessage.objects.count() == 0
    assert relay_once().claimed == 0
    assert SimulatedSms.objects.count() == 0 and not counting


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(adult):
    with pytest.raises(RuntimeError):
        notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=adult.pk,
                       subject=("service_request", "R1"), params={"name": "x", "request_no": "R1", "outlet": "y"})


def test_the_same_business_event_is_queued_once(adult):
    first, again = _enqueue(adult), _enqueue(adult)
    assert first.pk == again.pk and OutboxMessage.objects.count() == 1
    assert first.idempotency_key == "card_ready:service_request:R1"


def test_the_outbox_holds_no_phone_and_the_phone_is_read_when_sending(adult, counting):
    msg = _enqueue(adult)
    row = OutboxMessage.objects.filter(pk=msg.pk).values().get()
    assert not any(adult.phone in str(value) for value in row.values())
    assert "张*" in msg.text and adult.name not in msg.text
    adult.set_phone("13911112222")  # the holder changed their number before the relay ran
    adult.save(update_fields=["phone", "phone_hash"])
    assert relay_once().sent == 1
    sms = SimulatedSms.objects.get()
    assert sms.phone_hash == crypto.lookup_hash("13911112222", purpose="phone")
    assert (sms.client_msg_id, sms.text, sms.calls) == (msg.idempotency_key, msg.text, 1)


def test_committed_before_a_crash_is_sent_once_after_the_restart(adult, counting):
    msg = _enqueue(adult)  # committed; the relay was down
    assert _state(msg) == (MessageState.PENDING, 0)
    report = relay_once()  # the relay (re)starts
    assert (report.claimed, report.sent) == (1, 1)
    assert _state(msg) == (MessageState.SENT, 1) and msg.sent_at is not None and msg.gateway_message_id
    assert relay_once().claimed == 0  # and again: nothing more
    assert counting[msg.idempotency_key] == 1 and SimulatedSms.objects.get().calls == 1


def test_a_crash_after_sending_does_not_deliver_twice(settings, adult):
    clock.freeze(T0)
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.CrashAfterSending"
    msg = _enqueue(adult)
    with pytest.raises(gateways.Crash):
        relay_once()  # delivered, then the process died before recording it
    assert _state(msg) == (MessageState.SENDING, 1)
    assert SimulatedSms.objects.get().calls == 1
    # restarted at once: the claim has not lapsed, nobody sends it again yet
    assert relay_once().claimed == 0
    clock.advance(dt.timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS))
    report = relay_once()  # the lapsed claim is taken over and sent with the same key
    assert (report.claimed, report.sent) == (1, 1)
    assert _state(msg) == (MessageState.SENT, 2)
    assert gateways.calls[msg.idempotency_key] == 2  # the gateway was asked twice ...
    sms = SimulatedSms.objects.get()
    assert (sms.client_msg_id, sms.calls) == (msg.idempotency_key, 2)  # ... and delivered once


def test_a_transient_failure_is_retried_with_backoff(settings, adult):
    clock.freeze(T0)
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.FailingGateway"
    gateways.FailingGateway.failures = [("TIMEOUT", False), ("GATEWAY_BUSY", False)]
    msg = _enqueue(adult)
    assert relay_once().retried == 1
    msg.refresh_from_db()
    assert (msg.state, msg.last_error, msg.next_attempt_at) == (MessageState.PENDING, "TimeoutError",
                                                                T0 + dt.timedelta(seconds=30))
    clock.advance(dt.timedelta(seconds=29))
    assert relay_once().claimed == 0
    clock.advance(dt.timedelta(seconds=1))
    assert relay_once().retried == 1
    msg.refresh_from_db()
    assert (msg.last_error, msg.next_attempt_at) == ("GATEWAY_BUSY", clock.now() + dt.timedelta(seconds=60))
    clock.advance(dt.timedelta(seconds=60))
    assert relay_once().sent == 1
    assert _state(msg) == (MessageState.SENT, 3) and SimulatedSms.objects.get().calls == 1
    assert messages_failed().count() == 0


def test_a_permanent_refusal_fails_at_once_and_is_listed(settings, adult):
    clock.freeze(T0)
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.FailingGateway"
    gateways.FailingGateway.failures = [("INVALID_PHONE", True)]
    msg = _enqueue(adult)
    assert relay_once().failed == 1
    assert list(messages_failed().values_list("pk", "last_error")) == [(msg.pk, "INVALID_PHONE")]
    assert list(messages_failed(kind=MessageKind.LOSS_REPORTED)) == []
    clock.advance(dt.timedelta(days=1))
    assert relay_once().claimed == 0 and SimulatedSms.objects.count() == 0


def test_too_many_attempts_fail_the_message(settings, adult):
    clock.freeze(T0)
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.FailingGateway"
    settings.SSCARD_NOTIFY_MAX_ATTEMPTS = 3
    gateways.FailingGateway.failures = [("GATEWAY_BUSY", False)] * 5
    msg = _enqueue(adult)
    for _ in range(3):
        relay_once()
        clock.advance(dt.timedelta(hours=1))
    assert _state(msg) == (MessageState.FAILED, 3)
    assert relay_once().claimed == 0 and gateways.calls[msg.idempotency_key] == 3


def test_no_phone_fails_without_calling_the_gateway(adult, counting):
    adult.set_phone("")
    adult.save(update_fields=["phone", "phone_hash"])
    msg = _enqueue(adult)
    assert relay_once().failed == 1
    msg.refresh_from_db()
    assert (msg.state, msg.last_error) == (MessageState.FAILED, "NO_PHONE") and not counting


def test_the_simulated_gateway_refuses_a_number_that_is_not_a_mobile(adult):
    adult.set_phone("023-12345")
    adult.save(update_fields=["phone", "phone_hash"])
    msg = _enqueue(adult)
    assert relay_once().failed == 1
    assert _state(msg)[0] == MessageState.FAILED and msg.last_error == "INVALID_PHONE"


def test_the_command_sends_and_reports_the_outbox(adult):
    _enqueue(adult, "R1")
    _enqueue(f.make_person(name="赵二", phone=""), "R2")
    out = io.StringIO()
    call_command("notify_relay", stdout=out)
    assert out.getvalue().strip() == "发送 1 条，待重试 0 条，失败 1 条；发件箱：待发送 0，发送中 0，已发送 1，发送失败 1"
    assert outbox_counts() == {"pending": 0, "sending": 0, "sent": 1, "failed": 1}
