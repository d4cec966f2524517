"""Failures are visible: the admin's outbox list filtered to the failed messages shows each with its
error code and no phone number; the selectors list them and count the outbox by state."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.relay import relay_once
from sscard.notify.selectors import messages_failed, messages_for, outbox_counts
from sscard.notify.services import notify_enqueue
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def _queue(person, subject_id):
    with transaction.atomic():
        notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=person.pk,
                       subject=("service_request", subject_id),
                       params={"name": person.name, "request_no": subject_id, "outlet": "渝中网点"})


def test_failed_messages_are_listed_in_the_admin_with_their_code_and_no_phone(client):
    good, bad = f.make_person(phone="13800138000"), f.make_person(name="赵二", phone="02312345")
    _queue(good, "SR-OK-0001")
    _queue(bad, "SR-NG-0002")
    relay_once()
    assert [m.subject_id for m in messages_failed()] == ["SR-NG-0002"]
    assert [m.state for m in messages_for("service_request", "SR-OK-0001")] == ["sent"]
    assert outbox_counts() == {"pending": 0, "sending": 0, "sent": 1, "failed": 1}
    client.force_login(get_user_model().objects.create_superuser("root-n", password="x-pass-123456"))
    page = client.get(reverse("admin:notify_outboxmessage_changelist") + "?state__exact=failed")
    assert page.status_code == 200
    html = page.content.decode()
    assert "INVALID_PHONE" in html and "SR-NG-0002" in html and "SR-OK-0001" not in html
    assert "02312345" not in html and "13800138000" not in html
    detail = client.get(reverse("admin:notify_outboxmessage_change", args=[messages_failed().get().pk]))
    assert detail.status_code == 200 and "02312345" not in detail.content.decode()
