"""``idnumbers.canonical_number`` and ``people.lookup``: the one form an identity number is stored and
looked up by (a 15-digit legacy citizen number as its 18 digits per GB 11643, upper-case X, stripped)."""

import pytest

from sscard.core import crypto
from sscard.people.idnumbers import canonical_number, check_digit
from sscard.people.lookup import id_hash, id_hashes
from sscard.testing import factories as f

LEGACY = "500103650412123"  # born 1965-04-12, Yuzhong, a man (last digit odd)
FULL = "50010319650412123" + check_digit("50010319650412123")


def test_a_legacy_number_is_upgraded_with_its_check_character():
    assert FULL.startswith("500103196504121")
    assert canonical_number(LEGACY) == canonical_number(LEGACY, "id_card") == FULL
    assert canonical_number(LEGACY, "hukou") == FULL
    assert canonical_number(f"  {LEGACY[:6]} {LEGACY[6:]} ") == FULL


def test_the_check_character_x_is_upper_case_and_full_width_digits_are_half_width():
    first17 = "11010519491231002"
    assert check_digit(first17) == "X"
    assert canonical_number(first17 + "x") == first17 + "X"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in first17) + "ｘ"
    assert canonical_number(full_width) == first17 + "X"


@pytest.mark.parametrize("number", [
    "500103651332123",  # month 13: not a legacy number, left for the validation to refuse
    "910103650412123",  # area code starting with 9
    "810000650412123",  # a Hong Kong residence permit area: never a legacy number
    "50010365041212",  # 14 digits
])
def test_what_is_not_a_legacy_number_is_only_normalised(number):
    assert canonical_number(f" {number} ") == number


def test_other_document_types_are_never_upgraded():
    assert canonical_number(LEGACY, "passport") == LEGACY
    assert canonical_number("abc123456789012", "foreigner_pr") == "ABC123456789012"


def test_the_lookup_hash_is_the_canonical_number_s():
    assert id_hash(LEGACY) == id_hash(FULL) == id_hash(FULL.lower(), "id_card") == crypto.lookup_hash(FULL)
    assert id_hash(LEGACY, "passport") == crypto.lookup_hash(LEGACY) != id_hash(LEGACY)
    # a bare number (document type unknown) may be a passport stored as given: both hashes
    assert id_hashes(LEGACY) == [id_hash(FULL), crypto.lookup_hash(LEGACY)]
    assert id_hashes(FULL) == [id_hash(FULL)]
    assert id_hashes(LEGACY, "id_card") == [id_hash(FULL)]


@pytest.mark.django_db
def test_a_person_stores_the_canonical_number():
    person = f.make_person(id_number=LEGACY)
    person.refresh_from_db()
    assert person.id_number == FULL and person.id_hash == id_hash(LEGACY)
