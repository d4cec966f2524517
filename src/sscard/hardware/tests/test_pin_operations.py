"""PINs on the simulated card terminal: typed on the pad, checked against the chip, never stored in clear."""

import threading

import pytest

from sscard.hardware import drivers
from sscard.hardware.interfaces import CardMismatch, CardUnreadable, NoCardPresent, PinEntryError
from sscard.hardware.models import SimulatedChip
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedPinPad
from sscard.hardware.tests.data import KIOSK, WINDOW

pytestmark = pytest.mark.django_db

CARD = "A12345678"


@pytest.fixture
def terminal():
    SimulatedCardTerminal.provision(CARD, pin="135790")
    SimulatedCardTerminal.insert(WINDOW, CARD)
    return drivers.get_card_terminal()


def test_verify_pin(terminal):
    SimulatedPinPad.type(WINDOW, "135790", "000000", "13579")
    assert terminal.verify_pin(WINDOW, CARD) is True
    assert terminal.verify_pin(WINDOW, CARD) is False
    assert terminal.verify_pin(WINDOW, CARD) is False  # malformed entry is just wrong
    assert SimulatedPinPad.pending(WINDOW) == 0


def test_empty_pad_is_refused(terminal):
    with pytest.raises(PinEntryError) as exc:
        terminal.verify_pin(WINDOW, CARD)
    assert exc.value.code == "PIN_NOT_ENTERED" and exc.value.reason == "PIN_NOT_ENTERED"
    SimulatedPinPad.type(WINDOW, "135790", "246802")  # change needs three entries
    with pytest.raises(PinEntryError) as exc:
        terminal.change_pin(WINDOW, CARD)
    assert exc.value.code == "PIN_NOT_ENTERED"
    assert SimulatedPinPad.pending(WINDOW) == 0  # the timed-out entries are gone
    with pytest.raises(PinEntryError):
        terminal.reset_pin(WINDOW, CARD)


def test_pad_is_per_station(terminal):
    SimulatedPinPad.type(KIOSK, "135790")
    with pytest.raises(PinEntryError):
        terminal.verify_pin(WINDOW, CARD)
    assert SimulatedPinPad.pending(KIOSK) == 1


def test_pin_operations_need_the_named_card_in_the_slot(terminal):
    SimulatedPinPad.type(WINDOW, "135790")
    with pytest.raises(CardMismatch):
        terminal.verify_pin(WINDOW, "B00000000")
    with pytest.raises(NoCardPresent):
        terminal.verify_pin(KIOSK, CARD)
    SimulatedCardTerminal.insert(KIOSK, "B00000000")
    with pytest.raises(CardUnreadable):
        terminal.reset_pin(KIOSK, "B00000000")
    assert SimulatedPinPad.pending(WINDOW) == 1  # nothing was taken from the pad


def test_change_pin(terminal):
    before = SimulatedChip.objects.get(card_no=CARD).pin_hash
    SimulatedPinPad.type(WINDOW, "000000", "246813", "246813")
    assert terminal.change_pin(WINDOW, CARD) is False
    assert SimulatedChip.objects.get(card_no=CARD).pin_hash == before

    SimulatedPinPad.type(WINDOW, "135790", "246813", "246813")
    assert terminal.change_pin(WINDOW, CARD) is True
    SimulatedPinPad.type(WINDOW, "135790", "246813")
    assert terminal.verify_pin(WINDOW, CARD) is False
    assert terminal.verify_pin(WINDOW, CARD) is True


@pytest.mark.parametrize("new,confirm,code", [
    ("246813", "246814", "PIN_MISMATCH"),
    ("123456", "123456", "PIN_WEAK"),
    ("654321", "654321", "PIN_WEAK"),
    ("888888", "888888", "PIN_WEAK"),
    ("24681", "24681", "PIN_MALFORMED"),
    ("24681x", "24681x", "PIN_MALFORMED"),
])
def test_change_and_reset_refuse_bad_new_pins(terminal, new, confirm, code):
    before = SimulatedChip.objects.get(card_no=CARD).pin_hash
    SimulatedPinPad.type(WINDOW, "135790", new, confirm)
    with pytest.raises(PinEntryError) as exc:
        terminal.change_pin(WINDOW, CARD)
    assert exc.value.code == code
    assert new not in str(exc.value) and new not in exc.value.message_zh
    SimulatedPinPad.type(WINDOW, new, confirm)
    with pytest.raises(PinEntryError) as exc:
        terminal.reset_pin(WINDOW, CARD)
    assert exc.value.code == code
    assert SimulatedChip.objects.get(card_no=CARD).pin_hash == before
    SimulatedPinPad.type(WINDOW, "135790")
    assert terminal.verify_pin(WINDOW, CARD) is True


def test_reset_pin_needs_no_old_pin(terminal):
    SimulatedPinPad.type(WINDOW, "802468", "802468")
    assert terminal.reset_pin(WINDOW, CARD) is None
    SimulatedPinPad.type(WINDOW, "135790", "802468")
    assert terminal.verify_pin(WINDOW, CARD) is False
    assert terminal.verify_pin(WINDOW, CARD) is True


def test_personalise_sets_an_unknown_pin_then_reset_makes_it_usable(terminal):
    terminal.personalise(CARD)
    SimulatedPinPad.type(WINDOW, "135790")
    assert terminal.verify_pin(WINDOW, CARD) is False  # the old PIN is gone
    SimulatedPinPad.type(WINDOW, "802468", "802468", "802468")
    terminal.reset_pin(WINDOW, CARD)
    assert terminal.verify_pin(WINDOW, CARD) is True
    terminal.personalise("C00000001")  # a chip not yet in the store is created
    assert SimulatedChip.objects.get(card_no="C00000001").pin_hash.startswith("$argon2id$")


def test_stored_hash_differs_per_card_for_the_same_pin(terminal):
    SimulatedCardTerminal.provision("B00000000", pin="135790")
    hashes = set(SimulatedChip.objects.filter(card_no__in=[CARD, "B00000000"]).values_list("pin_hash", flat=True))
    assert len(hashes) == 2
    assert all("135790" not in h for h in hashes)


def test_verify_rehashes_with_current_cost(terminal, settings):
    settings.SSCARD_PIN_HASH_PARAMS = {"time_cost": 2, "memory_cost": 16, "parallelism": 1}
    SimulatedPinPad.type(WINDOW, "135790", "135790")
    assert terminal.verify_pin(WINDOW, CARD) is True
    assert "m=16,t=2,p=1" in SimulatedChip.objects.get(card_no=CARD).pin_hash
    assert terminal.verify_pin(WINDOW, CARD) is True


def test_provision_refuses_malformed_pin():
    with pytest.raises(PinEntryError) as exc:
        SimulatedCardTerminal.provision(CARD, pin="12345")
    assert exc.value.code == "PIN_MALFORMED"
    assert not SimulatedChip.objects.filter(card_no=CARD).exists()


def test_pad_queue_is_thread_safe():
    threads_n, per_thread = 8, 200
    barrier = threading.Barrier(threads_n)

    def typist(i):
        barrier.wait()
        for j in range(per_thread):
            SimulatedPinPad.type(WINDOW, f"{i}{j:05d}")

    workers = [threading.Thread(target=typist, args=(i,)) for i in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert SimulatedPinPad.pending(WINDOW) == threads_n * per_thread

    taken: list[list[str]] = [[] for _ in range(threads_n)]
    barrier = threading.Barrier(threads_n)

    def reader(i):
        barrier.wait()
        for _ in range(per_thread // 2):
            taken[i].extend(SimulatedPinPad.take(WINDOW, 2))

    workers = [threading.Thread(target=reader, args=(i,)) for i in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    flat = [p for chunk in taken for p in chunk]
    assert SimulatedPinPad.pending(WINDOW) == 0
    assert sorted(flat) == sorted(f"{i}{j:05d}" for i in range(threads_n) for j in range(per_thread))
    for chunk in taken:  # each thread saw its own typists' entries in typed order
        for i in range(threads_n):
            mine = [p for p in chunk if p.startswith(str(i))]
            assert mine == sorted(mine)
