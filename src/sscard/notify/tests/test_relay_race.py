"""The relay on PostgreSQL: concurrent relays (threads, processes) never send one message twice, and a
relay process killed after the gateway delivered but before it recorded the message does not deliver it
twice when another relay takes the message over."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sscard.core import clock
from sscard.notify.choices import MessageKind, MessageState, Recipient
from sscard.notify.models import OutboxMessage, SimulatedSms
from sscard.notify.relay import relay_once
from sscard.notify.services import notify_enqueue
from sscard.notify.tests import gateways
from sscard.testing import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[4]


def _queue(n: int, start: int = 0) -> None:
    person = f.make_person(name=f"陈{start}")
    with transaction.atomic():
        for i in range(start, start + n):
            notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=person.pk,
                           subject=("service_request", f"R{i:05d}"),
                           params={"name": person.name, "request_no": f"R{i:05d}", "outlet": "渝中网点"})


def _env(**extra) -> dict:
    db = settings.DATABASES["default"]
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    url = f"postgres://{db.get('USER') or 'postgres'}@{host}/{db['NAME']}"
    return {**os.environ, "DATABASE_URL": url, "SSCARD_DEBUG": "1", "PYTHONPATH": str(ROOT / "src"), **extra}


def _all_sent_once(n: int) -> None:
    assert OutboxMessage.objects.filter(state=MessageState.SENT).count() == n
    assert SimulatedSms.objects.count() == n
    assert set(SimulatedSms.objects.values_list("calls", flat=True)) == {1}  # no message asked for twice


def test_concurrent_relay_threads_never_send_a_message_twice(settings):
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.CountingGateway"
    _queue(200)
    barrier = threading.Barrier(4)
    reports, errors = [], []

    def run():
        try:
            barrier.wait(30)
            reports.append(relay_once(limit=10))
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sum(r.sent for r in reports) == 200
    assert sum(1 for r in reports if r.sent) >= 2  # the relays did share the work
    assert len(gateways.calls) == 200 and set(gateways.calls.values()) == {1}
    _all_sent_once(200)


def test_two_relay_processes_never_send_a_message_twice(tmp_path):
    env = _env(SSCARD_SMS_GATEWAY="sscard.notify.tests.gateways.CountingGateway")
    procs = [subprocess.Popen([sys.executable, "manage.py", "notify_relay", "--loop", "--interval", "0.05",
                               "--limit", "5"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp_path / f"relay-{i}.log", "w")) for i in (1, 2)]
    try:
        for chunk in range(6):  # queued while the relays start and poll
            _queue(50, start=chunk * 50)
            time.sleep(0.5)
        deadline = time.time() + 90
        while OutboxMessage.objects.filter(state=MessageState.SENT).count() < 300 and time.time() < deadline:
            time.sleep(0.2)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=15)
    _all_sent_once(300)


def test_a_relay_killed_after_sending_does_not_deliver_twice(tmp_path):
    _queue(1)
    msg = OutboxMessage.objects.get()
    marker = tmp_path / "delivered"
    relay = subprocess.Popen([sys.executable, "manage.py", "notify_relay"], cwd=ROOT,
                             env=_env(SSCARD_SMS_GATEWAY="sscard.notify.tests.gateways.DeliverThenHang",
                                      SSCARD_TEST_MARKER=str(marker)),
                             stdout=subprocess.DEVNULL, stderr=open(tmp_path / "relay.log", "w"))
    try:
        deadline = time.time() + 60
        while not marker.exists() and time.time() < deadline:
            time.sleep(0.1)
        assert marker.read_text() == msg.idempotency_key
    finally:
        relay.send_signal(signal.SIGKILL)  # the relay dies between the delivery and its record
        relay.wait(timeout=15)
    msg.refresh_from_db()
    assert (msg.state, msg.attempts) == (MessageState.SENDING, 1)
    assert SimulatedSms.objects.get().calls == 1
    assert relay_once().claimed == 0  # its claim still holds
    clock.freeze(timezone.now() + dt.timedelta(seconds=settings.SSCARD_NOTIFY_LEASE_SECONDS + 1))
    assert relay_once().sent == 1  # taken over, sent again with the same key
    msg.refresh_from_db()
    assert (msg.state, msg.attempts) == (MessageState.SENT, 2)
    sms = SimulatedSms.objects.get()
    assert (sms.client_msg_id, sms.calls) == (msg.idempotency_key, 2)  # asked twice, delivered once
