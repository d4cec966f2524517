"""Unified social credit code validation (GB 32100-2015, organisation code check GB 11714-1997)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sscard.core.errors import InvalidInput
from sscard.employers.rules import CHARSET, make_uscc, org_check_char, uscc_check_char, validate_uscc

# Codes checked by hand against the standards' algorithms: the GB 32100 worked example "91350100M000100Y4?"
# (weighted sum 1640, check 3) and a market-regulator code of the "MA" series.
VALID = ["91350100M000100Y43", "91512081MA62K0260E", "91500103MA5U00003N"]


def _code(exc) -> str:
    return exc.value.code


@pytest.mark.parametrize("code", VALID)
def test_valid_codes_pass_unchanged(code):
    assert validate_uscc(code) == code


def test_standard_worked_example():
    # GB 32100 example: the first 17 characters of 91350100M000100Y4Z give check value 3, so "Z" is wrong.
    assert uscc_check_char("91350100M000100Y4") == "3"
    with pytest.raises(InvalidInput) as exc:
        validate_uscc("91350100M000100Y4Z")
    assert _code(exc) == "USCC_FORMAT"  # Z is not even in the code charset


def test_organisation_code_check_character():
    # GB 11714: weights 3 7 9 10 5 8 4 2, letters valued A=10 ... Z=35; 10 -> X, 11 -> 0.
    assert org_check_char("MA62K026") == "0"
    assert org_check_char("12345678") == "8"  # 3+14+27+40+25+48+28+16 = 201, 201 mod 11 = 3, 11-3 = 8
    assert org_check_char("00000000") == "0"


def test_normalises_whitespace_and_case():
    assert validate_uscc("  91512081ma62k0260e ") == "91512081MA62K0260E"
    assert validate_uscc("9151 2081 MA62 K026 0E") == "91512081MA62K0260E"


@pytest.mark.parametrize(("code", "expected"), [
    ("", "USCC_FORMAT"),
    ("91512081MA62K0260", "USCC_FORMAT"),  # 17 characters
    ("91512081MA62K0260EE", "USCC_FORMAT"),  # 19
    ("9151208IMA62K0260E", "USCC_FORMAT"),  # I in the division code
    ("91512081MA62K0I60E", "USCC_FORMAT"),  # I is not in the charset
    ("915120A1MA62K0260E", "USCC_FORMAT"),  # letter in the division code
    ("91512081MA62K0260F", "USCC_CHECK"),  # wrong 18th character
    ("91512081MA62K0261E", "USCC_CHECK"),  # wrong organisation code check (17th)
    ("91512082MA62K0260E", "USCC_CHECK"),  # one digit mistyped
])
def test_refusals(code, expected):
    with pytest.raises(InvalidInput) as exc:
        validate_uscc(code)
    assert _code(exc) == expected
    assert "9151" not in exc.value.message


chars = st.sampled_from(CHARSET)
digits = st.sampled_from("0123456789")
codes = st.builds(lambda p, d, b: make_uscc(p, d, b), st.text(chars, min_size=2, max_size=2),
                  st.text(digits, min_size=6, max_size=6), st.text(chars, min_size=8, max_size=8))


@given(codes)
def test_every_constructed_code_is_valid_and_stable(code):
    assert len(code) == 18
    assert validate_uscc(code) == code
    assert validate_uscc(" " + code.lower() + " ") == code


@given(codes, st.integers(0, 17), chars)
def test_any_single_substitution_is_refused(code, pos, char):
    changed = code[:pos] + char + code[pos + 1:]
    if changed == code:
        return
    with pytest.raises(InvalidInput) as exc:
        validate_uscc(changed)
    assert _code(exc) in ("USCC_FORMAT", "USCC_CHECK")


@given(codes, st.integers(0, 15))
def test_any_adjacent_transposition_in_the_body_is_refused(code, pos):
    # Weights differ pairwise mod 31 (a prime), so swapping two different characters changes the sum.
    swapped = code[:pos] + code[pos + 1] + code[pos] + code[pos + 2:]
    if swapped == code:
        return
    with pytest.raises(InvalidInput):
        validate_uscc(swapped)


@given(st.text(max_size=30))
def test_arbitrary_text_is_valid_or_refused_with_a_uscc_code(text):
    try:
        out = validate_uscc(text)
    except InvalidInput as e:
        assert e.code in ("USCC_FORMAT", "USCC_CHECK")
    else:
        assert len(out) == 18 and set(out) <= set(CHARSET)
