"""The SMS gateway the relay sends through: the class (or ready object) named by the dotted path in
``settings.SSCARD_SMS_GATEWAY``; the simulated gateway by default (demo and tests).

A gateway takes the message's idempotency key as its client message id and must deduplicate by it, as
real SMS gateways do (the relay retries a message whose outcome it did not record with the same key, so
deduplication at the gateway is what makes a crash between sending and recording harmless).  It raises
``GatewayError`` for a refusal it can name: ``permanent`` when sending again cannot succeed (an invalid
number), otherwise the relay retries later.  Any other exception counts as a transient failure.
"""

import hashlib
import re
import threading
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from sscard.core import clock, crypto
from sscard.notify.models import SimulatedSms

DEFAULT_GATEWAY = "sscard.notify.gateways.SimulatedGateway"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class GatewayError(Exception):
    """A gateway's refusal, by code (no personal data in it)."""

    def __init__(self, code: str, *, permanent: bool = False):
        super().__init__(code)
        self.code = code
        self.permanent = permanent


@runtime_checkable
class SmsGateway(Protocol):
    def send(self, *, phone: str, text: str, client_msg_id: str) -> str:
        """Send ``text`` to ``phone`` once per ``client_msg_id``; returns the gateway's message id (the
        same id again for a repeated ``client_msg_id``, which is not sent twice)."""


class SimulatedGateway:
    """Delivers into ``SimulatedSms`` (one row per client message id; ``calls`` counts every request),
    deduplicating by client message id like a real gateway.  Mainland mobile numbers only."""

    def send(self, *, phone: str, text: str, client_msg_id: str) -> str:
        if not _MOBILE.match(phone or ""):
            raise GatewayError("INVALID_PHONE", permanent=True)
        gateway_id = "SIM" + hashlib.sha256(client_msg_id.encode()).hexdigest()[:20]
        if SimulatedSms.objects.filter(client_msg_id=client_msg_id).update(calls=F("calls") + 1):
            return gateway_id  # already delivered: not sent again
        try:
            with transaction.atomic():
                SimulatedSms.objects.create(client_msg_id=client_msg_id, text=text, delivered_at=clock.now(),
                                            phone_hash=crypto.lookup_hash(phone, purpose="phone"))
        except IntegrityError:  # the same id delivered by a concurrent call just now
            SimulatedSms.objects.filter(client_msg_id=client_msg_id).update(calls=F("calls") + 1)
        return gateway_id


_lock = threading.Lock()
_cache: dict[str, Any] = {}


def get_gateway() -> SmsGateway:
    """The configured gateway, built once per dotted path (a test that changes the setting gets its own)."""
    path = getattr(settings, "SSCARD_SMS_GATEWAY", DEFAULT_GATEWAY)
    with _lock:
        gateway = _cache.get(path)
        if gateway is None:
            target = import_string(path)
            gateway = target() if isinstance(target, type) else target
            if not isinstance(gateway, SmsGateway):
                raise ImproperlyConfigured(f"{path} does not implement SmsGateway.send")
            _cache[path] = gateway
        return gateway


def reset_gateways() -> None:
    """Forget every built gateway (tests that swap gateways call this)."""
    with _lock:
        _cache.clear()
