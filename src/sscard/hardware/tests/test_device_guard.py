"""The simulated devices refuse to run once the calling transaction has written audit events: device
I/O belongs before a business's first audit write (``audit_deferred``) or after its commit."""

import pytest
from django.db import transaction

from sscard.audit.services import DeviceCalledAfterWrite, audit_deferred, audit_record
from sscard.hardware import drivers
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIdReader, SimulatedPinPad
from sscard.hardware.tests.data import WINDOW, id_card
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db

CARD = "B00000001"


def _audit():
    audit_record(event_type="DEMO_DATA_LOADED", actor=Actor.system("test"), subject_type="thing", subject_id=1)


def _print():
    drivers.get_issuance_printer().print_card(WINDOW, card_no=CARD, holder_name="张三", photo_jpeg=None)


def _personalise():
    drivers.get_card_terminal().personalise(CARD)


def _verify_pin():
    SimulatedCardTerminal.provision(CARD, pin="246810")
    SimulatedCardTerminal.insert(WINDOW, CARD)
    SimulatedPinPad.type(WINDOW, "246810")
    drivers.get_card_terminal().verify_pin(WINDOW, CARD)


def _read_id():
    SimulatedIdReader.place(WINDOW, id_card())
    drivers.get_id_reader().read(WINDOW)


DEVICE_CALLS = pytest.mark.parametrize("call", [_print, _personalise, _verify_pin, _read_id],
                                       ids=["print_card", "personalise", "verify_pin", "read_id"])


@DEVICE_CALLS
def test_a_device_called_after_an_audit_write_in_the_same_transaction_is_refused(call):
    with transaction.atomic():
        _audit()
        with pytest.raises(DeviceCalledAfterWrite, match="after this transaction wrote"):
            call()


@DEVICE_CALLS
def test_a_device_runs_before_the_first_audit_write_and_after_the_commit(call):
    with transaction.atomic(), audit_deferred():
        _audit()  # held back until the block ends
        call()
    with transaction.atomic():
        _audit()
    call()
