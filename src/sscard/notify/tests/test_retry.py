"""An operator re-queues failed messages (``notify_retry``): they are sent with the same key, audited once
listing them; a message the gateway had already delivered is not delivered twice."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.notify.choices import MessageKind, MessageState, Recipient
from sscard.notify.models import OutboxMessage, SimulatedSms
from sscard.notify.relay import relay_once
from sscard.notify.services import notify_enqueue
from sscard.notify.tests import gateways
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def _queue(person, subject_id) -> OutboxMessage:
    with transaction.atomic():
        return notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=person.pk,
                              subject=("service_request", subject_id),
                              params={"name": person.name, "request_no": subject_id, "outlet": "渝中网点"})


def test_a_failed_message_retried_after_its_phone_is_corrected_is_sent(adult):
    adult.set_phone("02312345")
    adult.save(update_fields=["phone", "phone_hash"])
    msg, other = _queue(adult, "SR-A"), _queue(f.make_person(name="赵二"), "SR-B")
    relay_once()
    msg.refresh_from_db()
    assert (msg.state, msg.last_error) == (MessageState.FAILED, "INVALID_PHONE")
    adult.set_phone("13800138001")
    adult.save(update_fields=["phone", "phone_hash"])
    out = io.StringIO()
    call_command("notify_retry", "--all-failed", stdout=out)
    assert out.getvalue().strip() == "重新排队 1 条短信"
    event = AuditEvent.objects.get(event_type="NOTIFICATIONS_RETRIED")
    assert (event.actor_kind, event.data) == ("system", {"messages": [msg.pk]})
    assert relay_once().sent == 1
    msg.refresh_from_db()
    assert (msg.state, msg.attempts) == (MessageState.SENT, 1)
    assert SimulatedSms.objects.count() == 2
    call_command("notify_retry", str(other.pk), stdout=out)  # not failed: nothing written
    assert AuditEvent.objects.filter(event_type="NOTIFICATIONS_RETRIED").count() == 1


def test_a_message_delivered_before_it_failed_is_not_delivered_twice(settings, adult):
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.CountingGateway"
    msg = _queue(adult, "SR-C")
    relay_once()
    # the gateway delivered, but the relay recorded a failure (e.g. the answer was lost, attempts spent)
    OutboxMessage.objects.filter(pk=msg.pk).update(state=MessageState.FAILED, last_error="TimeoutError")
    call_command("notify_retry", str(msg.pk), stdout=io.StringIO())
    assert relay_once().sent == 1
    assert gateways.calls[msg.idempotency_key] == 2 and SimulatedSms.objects.get().calls == 2


def test_the_command_needs_a_target():
    with pytest.raises(CommandError):
        call_command("notify_retry")
