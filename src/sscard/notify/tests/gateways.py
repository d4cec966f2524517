"""Gateways for the relay's tests, named by dotted path in ``settings.SSCARD_SMS_GATEWAY``: each sends
through the simulated gateway (which deduplicates by client message id) and counts the calls it got."""

import collections
import os
import threading
import time

from sscard.notify.gateways import GatewayError, SimulatedGateway

calls: collections.Counter = collections.Counter()  # client message id -> calls this process made
_lock = threading.Lock()


class Crash(BaseException):
    """The relay's process dying (not an ``Exception``: nothing in the relay catches it)."""


def reset() -> None:
    with _lock:
        calls.clear()
    CrashAfterSending.armed = True
    FailingGateway.failures = []


class CountingGateway(SimulatedGateway):
    def send(self, *, phone, text, client_msg_id):
        with _lock:
            calls[client_msg_id] += 1
        time.sleep(0.002)  # a gateway's round trip: lets concurrent relays overlap
        return super().send(phone=phone, text=text, client_msg_id=client_msg_id)


class CrashAfterSending(CountingGateway):
    """Delivers, then the process dies before the relay records the message sent (once, while armed)."""

    armed = True

    def send(self, *, phone, text, client_msg_id):
        gateway_id = super().send(phone=phone, text=text, client_msg_id=client_msg_id)
        if CrashAfterSending.armed:
            CrashAfterSending.armed = False
            raise Crash()
        return gateway_id


class FailingGateway(CountingGateway):
    """Refuses with the next queued ``(code, permanent)`` failure, then sends."""

    failures: list = []

    def send(self, *, phone, text, client_msg_id):
        if FailingGateway.failures:
            code, permanent = FailingGateway.failures.pop(0)
            with _lock:
                calls[client_msg_id] += 1
            if code == "TIMEOUT":
                raise TimeoutError("no answer")
            raise GatewayError(code, permanent=permanent)
        return super().send(phone=phone, text=text, client_msg_id=client_msg_id)


class DeliverThenHang(SimulatedGateway):
    """For a relay run as its own process: delivers, writes a marker file, then hangs until it is killed."""

    def send(self, *, phone, text, client_msg_id):
        gateway_id = super().send(phone=phone, text=text, client_msg_id=client_msg_id)
        with open(os.environ["SSCARD_TEST_MARKER"], "w") as marker:
            marker.write(client_msg_id)
        time.sleep(600)
        return gateway_id
