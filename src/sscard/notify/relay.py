"""The relay: sends the committed outbox through the SMS gateway, exactly once per message.

1. Claim (one short transaction, committed before any gateway call): the due messages, ``pending`` whose
   ``next_attempt_at`` has come, and ``sending`` ones whose claim has lapsed (a relay that crashed or hung
   mid-send), locked ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so concurrent relays take different rows,
   then moved to ``sending`` by one UPDATE that repeats the due condition (so on SQLite, which has no row
   locks, only one relay's UPDATE takes a row), with this relay's claim token, one more attempt, and
   ``next_attempt_at`` = now + the lease (``SSCARD_NOTIFY_LEASE_SECONDS``): after it another relay may
   take the message over.
2. Send, outside any transaction: the person's phone read and decrypted now, the gateway called with the
   message's idempotency key as client message id.
3. Record, by an UPDATE guarded by the claim token: ``sent``; or back to ``pending`` with a backoff
   (``rules.retry_delay``); or ``failed`` (the gateway's permanent refusal, no phone, or
   ``SSCARD_NOTIFY_MAX_ATTEMPTS`` attempts).

A crash after step 1 leaves the message ``sending``: once its lease lapses it is sent again with the same
key, and the gateway, deduplicating by that key, does not deliver it twice.  Logs name message ids, kinds
and error codes, never a phone or a text.
"""

import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q

from sscard.core import clock
from sscard.notify.choices import MessageState
from sscard.notify.gateways import GatewayError, get_gateway
from sscard.notify.models import OutboxMessage
from sscard.notify.rules import retry_delay
from sscard.people.models import Person

log = logging.getLogger("sscard.notify")
DEFAULT_LEASE_SECONDS = 120
DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_BATCH = 100


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "SSCARD_NOTIFY_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


def max_attempts() -> int:
    return int(getattr(settings, "SSCARD_NOTIFY_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


@dataclass
class RelayReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _due(now) -> Q:
    return Q(state__in=[MessageState.PENDING, MessageState.SENDING], next_attempt_at__lte=now)


def claim(*, limit: int = DEFAULT_BATCH) -> tuple[str, list[OutboxMessage]]:
    """Claim up to ``limit`` due messages for this relay (committed when this returns)."""
    now = clock.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        ids = list(OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now))
                   .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
        if not ids:
            return token, []
        OutboxMessage.objects.filter(_due(now), pk__in=ids).update(
            state=MessageState.SENDING, claim_token=token, attempts=F("attempts") + 1,
            next_attempt_at=now + lease(), updated_at=now)
    claimed = OutboxMessage.objects.filter(claim_token=token, state=MessageState.SENDING)
    return token, list(claimed.order_by("id"))


def _record(message: OutboxMessage, token: str, **fields) -> bool:
    """Record the outcome if the claim is still this relay's (a lapsed claim taken over is left alone)."""
    fields.setdefault("updated_at", clock.now())
    return bool(OutboxMessage.objects.filter(pk=message.pk, claim_token=token, state=MessageState.SENDING)
                .update(claim_token="", **fields))


def _fail_or_retry(message: OutboxMessage, token: str, code: str, *, permanent: bool,
                   report: RelayReport) -> None:
    if permanent or message.attempts >= max_attempts():
        if _record(message, token, state=MessageState.FAILED, last_error=code[:120]):
            report.failed += 1
            log.warning("notification %s (%s) failed: %s", message.pk, message.kind, code)
        return
    if _record(message, token, state=MessageState.PENDING, last_error=code[:120],
               next_attempt_at=clock.now() + retry_delay(message.attempts)):
        report.retried += 1
        log.info("notification %s (%s) to be retried: %s", message.pk, message.kind, code)


def deliver(message: OutboxMessage, token: str, report: RelayReport) -> None:
    """Send one claimed message and record the outcome."""
    if message.attempts > max_attempts():
        _fail_or_retry(message, token, "TOO_MANY_ATTEMPTS", permanent=True, report=report)
        return
    phone = Person.objects.filter(pk=message.person_id).values_list("phone", flat=True).first()
    if not phone:
        _fail_or_retry(message, token, "NO_PHONE", permanent=True, report=report)
        return
    try:
        gateway_id = get_gateway().send(phone=phone, text=message.text, client_msg_id=message.idempotency_key)
    except GatewayError as exc:
        _fail_or_retry(message, token, exc.code, permanent=exc.permanent, report=report)
        return
    except Exception as exc:  # noqa: BLE001 - a gateway's unexpected error is a transient failure
        _fail_or_retry(message, token, type(exc).__name__, permanent=False, report=report)
        return
    if _record(message, token, state=MessageState.SENT, sent_at=clock.now(),
               gateway_message_id=str(gateway_id)[:64], last_error=""):
        report.sent += 1


def relay_once(*, limit: int = DEFAULT_BATCH) -> RelayReport:
    """Claim and send what is due now, ``limit`` messages at a time, until nothing is due."""
    report = RelayReport()
    while True:
        token, messages = claim(limit=limit)
        if not messages:
            return report
        report.claimed += len(messages)
        for message in messages:
            deliver(message, token, report)


def relay_loop(*, interval: float = 5.0, limit: int = DEFAULT_BATCH, rounds: int | None = None) -> None:
    """Run ``relay_once`` every ``interval`` seconds (``rounds`` times, or for ever).  An error (the
    database restarting, a gateway outage) is logged and the loop goes on: the worker restarts itself."""
    done = 0
    while rounds is None or done < rounds:
        close_old_connections()
        try:
            report = relay_once(limit=limit)
            if report.claimed:
                log.info("notifications: %s sent, %s to retry, %s failed",
                         report.sent, report.retried, report.failed)
        except Exception:  # noqa: BLE001 - the loop outlives a failed round
            log.exception("notification relay round failed; retrying in %s s", interval)
        done += 1
        if rounds is None or done < rounds:
            time.sleep(interval)
