"""ID reader, card reading, printer, fault switch, driver resolution and error mapping."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from sscard.core import errors
from sscard.hardware import drivers
from sscard.hardware.interfaces import (
    CardMismatch,
    CardTerminal,
    CardUnreadable,
    DeviceError,
    DeviceUnavailable,
    IdReader,
    IssuancePrinter,
    NoCardPresent,
    PinEntryError,
)
from sscard.hardware.models import SimulatedChip
from sscard.hardware.simulated import (
    SimulatedCardTerminal,
    SimulatedIdReader,
    SimulatedIssuancePrinter,
    SimulatedPinPad,
    reset_simulators,
    simulated_faults,
)
from sscard.hardware.tests.data import KIOSK, WINDOW, id_card


def test_id_reader_place_read_remove():
    reader = drivers.get_id_reader()
    with pytest.raises(NoCardPresent) as exc:
        reader.read(WINDOW)
    assert exc.value.device == "id_reader" and exc.value.reason == "NO_CARD_PRESENT"
    card = id_card()
    SimulatedIdReader.place(WINDOW, card)
    assert reader.read(WINDOW) == card
    with pytest.raises(NoCardPresent):
        reader.read(KIOSK)  # another station's reader is empty
    SimulatedIdReader.remove(WINDOW)
    with pytest.raises(NoCardPresent):
        reader.read(WINDOW)


def test_id_card_repr_masks_personal_data():
    text = repr(id_card())
    assert "500103199001011234" not in text and "张三" not in text and "解放碑" not in text
    assert "5001**********1234" in text


def test_station_names_are_checked():
    with pytest.raises(ValueError):
        drivers.get_id_reader().read("window 1")
    with pytest.raises(ValueError):
        SimulatedPinPad.type("CQ-YZ-01", "135790")


@pytest.mark.django_db
def test_read_card_needs_an_inserted_known_card():
    terminal = drivers.get_card_terminal()
    with pytest.raises(NoCardPresent) as exc:
        terminal.read_card(KIOSK)
    assert exc.value.device == "card_terminal"
    SimulatedCardTerminal.insert(KIOSK, "A12345678")
    with pytest.raises(CardUnreadable):
        terminal.read_card(KIOSK)
    code = SimulatedCardTerminal.provision("A12345678", pin="135790")
    chip = terminal.read_card(KIOSK)
    assert (chip.card_no, chip.identification_code) == ("A12345678", code)
    assert len(code) == 32
    SimulatedCardTerminal.eject(KIOSK)
    with pytest.raises(NoCardPresent):
        terminal.read_card(KIOSK)


@pytest.mark.django_db
def test_printer_writes_chip_and_personalises_with_a_secret_pin():
    result = drivers.get_issuance_printer().print_card(WINDOW, card_no="A00000001", holder_name="张三",
                                                       photo_jpeg=b"\xff\xd8")
    assert len(result.identification_code) == 32
    assert result.identification_code.isalnum()
    chip = SimulatedChip.objects.get(card_no="A00000001")
    assert chip.identification_code == result.identification_code
    assert chip.pin_hash.startswith("$argon2id$")
    job = SimulatedIssuancePrinter.last_job(WINDOW)
    assert (job.card_no, job.identification_code, job.has_photo) == ("A00000001", result.identification_code, True)
    assert "张三" not in repr(job)
    SimulatedCardTerminal.insert(WINDOW, "A00000001")
    assert drivers.get_card_terminal().read_card(WINDOW).identification_code == result.identification_code
    other = drivers.get_issuance_printer().print_card(WINDOW, card_no="A00000002", holder_name="李四",
                                                      photo_jpeg=None)
    assert other.identification_code != result.identification_code
    assert SimulatedChip.objects.get(card_no="A00000002").pin_hash != chip.pin_hash


@pytest.mark.django_db
def test_reprint_replaces_code_and_pin():
    printer = drivers.get_issuance_printer()
    first = printer.print_card(WINDOW, card_no="A00000001", holder_name="张三", photo_jpeg=None)
    old_hash = SimulatedChip.objects.get(card_no="A00000001").pin_hash
    second = printer.print_card(WINDOW, card_no="A00000001", holder_name="张三", photo_jpeg=None)
    chip = SimulatedChip.objects.get(card_no="A00000001")
    assert second.identification_code != first.identification_code
    assert chip.identification_code == second.identification_code and chip.pin_hash != old_hash


@pytest.mark.django_db
def test_fault_switch_per_station_and_device_wide():
    SimulatedIdReader.place(WINDOW, id_card())
    SimulatedIdReader.place(KIOSK, id_card())
    reader = drivers.get_id_reader()
    simulated_faults.fail("id_reader", WINDOW)
    with pytest.raises(DeviceUnavailable) as exc:
        reader.read(WINDOW)
    assert exc.value.device == "id_reader" and exc.value.reason == "DEVICE_UNAVAILABLE"
    assert reader.read(KIOSK).name == "张三"
    simulated_faults.fail("id_reader")
    with pytest.raises(DeviceUnavailable):
        reader.read(KIOSK)
    simulated_faults.clear("id_reader", WINDOW)  # the device-wide fault remains
    with pytest.raises(DeviceUnavailable):
        reader.read(WINDOW)
    simulated_faults.clear("id_reader")
    assert reader.read(WINDOW).name == "张三"

    simulated_faults.fail("issuance_printer", WINDOW)
    with pytest.raises(DeviceUnavailable):
        drivers.get_issuance_printer().print_card(WINDOW, card_no="A1", holder_name="张三", photo_jpeg=None)
    assert not SimulatedChip.objects.filter(card_no="A1").exists()
    simulated_faults.fail("card_terminal")
    SimulatedCardTerminal.insert(WINDOW, "A1")
    with pytest.raises(DeviceUnavailable):
        drivers.get_card_terminal().read_card(WINDOW)
    with pytest.raises(DeviceUnavailable):
        drivers.get_card_terminal().personalise("A1")
    simulated_faults.clear_all()
    assert drivers.get_issuance_printer().print_card(KIOSK, card_no="A1", holder_name="张三", photo_jpeg=None)
    with pytest.raises(ValueError):
        simulated_faults.fail("scanner")


def test_reset_simulators_empties_everything():
    SimulatedIdReader.place(WINDOW, id_card())
    SimulatedCardTerminal.insert(WINDOW, "A1")
    SimulatedPinPad.type(WINDOW, "135790")
    simulated_faults.fail("id_reader")
    reset_simulators()
    assert SimulatedPinPad.pending(WINDOW) == 0
    assert not simulated_faults.is_failing("id_reader", WINDOW)
    with pytest.raises(NoCardPresent):
        drivers.get_id_reader().read(WINDOW)


def test_drivers_are_cached_checked_and_resettable(settings):
    reader = drivers.get_id_reader()
    assert isinstance(reader, SimulatedIdReader) and isinstance(reader, IdReader)
    assert drivers.get_id_reader() is reader
    assert isinstance(drivers.get_card_terminal(), CardTerminal)
    assert isinstance(drivers.get_issuance_printer(), IssuancePrinter)
    drivers.reset_drivers()
    assert drivers.get_id_reader() is not reader
    settings.SSCARD_HARDWARE = {**settings.SSCARD_HARDWARE,
                                "id_reader": "sscard.hardware.simulated.SimulatedCardTerminal"}
    with pytest.raises(ImproperlyConfigured):
        drivers.get_id_reader()
    settings.SSCARD_HARDWARE = {}
    with pytest.raises(ImproperlyConfigured):
        drivers.get_card_terminal()


def test_device_errors_map_to_domain_errors():
    unavailable = DeviceUnavailable("issuance_printer").as_domain_error()
    assert isinstance(unavailable, errors.DomainError)
    assert (unavailable.code, unavailable.status) == ("DEVICE_UNAVAILABLE", 503)
    assert "制卡机" in unavailable.message
    pin = PinEntryError("PIN_WEAK").as_domain_error()
    assert isinstance(pin, errors.InvalidInput) and pin.code == "PIN_WEAK" and pin.status == 400
    no_card = NoCardPresent("id_reader").as_domain_error()
    assert isinstance(no_card, errors.Refused) and "身份证" in no_card.message
    assert issubclass(CardMismatch, DeviceError) and issubclass(PinEntryError, DeviceError)
