"""Identity-number validation: one table of accepted numbers, one of refused numbers, and properties."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sscard.core.errors import InvalidInput
from sscard.people.idnumbers import (
    IdentityNumber,
    Kind,
    check_digit,
    is_minor,
    parse_identity,
)

TODAY = date(2025, 6, 1)


# --- check digit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("first17", "expected"), [
    ("11010519491231002", "X"),  # GB 11643-1999 example
    ("11010519491231001", "1"),
    ("50010320100601123", "1"),
    ("91184019850315002", "4"),
    ("50023419990101123", "8"),
])
def test_check_digit(first17, expected):
    assert check_digit(first17) == expected


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100A", ""])
def test_check_digit_needs_17_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


# --- accepted numbers ----------------------------------------------------------------------------

ACCEPTED = [
    # doc_type, input, number, kind, birth_date, gender, upgraded_from
    ("id_card", "11010519491231002X", "11010519491231002X", Kind.RESIDENT, date(1949, 12, 31), "F", None),
    ("id_card", "11010519491231002x", "11010519491231002X", Kind.RESIDENT, date(1949, 12, 31), "F", None),
    ("id_card", " 110105 19491231 0011 ", "110105194912310011", Kind.RESIDENT, date(1949, 12, 31), "M", None),
    ("id_card", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", Kind.RESIDENT,
     date(1949, 12, 31), "F", None),  # full-width input
    ("id_card", "500103201006011231", "500103201006011231", Kind.RESIDENT, date(2010, 6, 1), "M", None),
    ("id_card", "500234202401011244", "500234202401011244", Kind.RESIDENT, date(2024, 1, 1), "F", None),
    ("id_card", "810000199001010019", "810000199001010019", Kind.HK_RESIDENCE_PERMIT,
     date(1990, 1, 1), "M", None),
    ("id_card", "820000200002290021", "820000200002290021", Kind.MACAO_RESIDENCE_PERMIT,
     date(2000, 2, 29), "F", None),
    ("id_card", "830000197511300037", "830000197511300037", Kind.TAIWAN_RESIDENCE_PERMIT,
     date(1975, 11, 30), "M", None),
    ("hukou", "500103201006011231", "500103201006011231", Kind.HUKOU, date(2010, 6, 1), "M", None),
    ("id_card", "110105491231002", "11010519491231002X", Kind.RESIDENT, date(1949, 12, 31), "F",
     "110105491231002"),
    ("hukou", "500103800229123", "500103198002291235", Kind.HUKOU, date(1980, 2, 29), "M", "500103800229123"),
    ("hmt_permit", "H12345678", "H12345678", Kind.HK_MACAO_TRAVEL_PERMIT, None, None, None),
    ("hmt_permit", "m1234567801", "M1234567801", Kind.HK_MACAO_TRAVEL_PERMIT, None, None, None),
    ("hmt_permit", "12345678", "12345678", Kind.TAIWAN_TRAVEL_PERMIT, None, None, None),
    ("hmt_permit", "1234567801", "1234567801", Kind.TAIWAN_TRAVEL_PERMIT, None, None, None),
    ("passport", "E12345678", "E12345678", Kind.PASSPORT, None, None, None),
    ("passport", "ea1234567", "EA1234567", Kind.PASSPORT, None, None, None),
    ("passport", "G12345678", "G12345678", Kind.PASSPORT, None, None, None),
    ("passport", "C01X00T47", "C01X00T47", Kind.PASSPORT, None, None, None),
    ("passport", "AB123", "AB123", Kind.PASSPORT, None, None, None),
    ("officer_card", "南字第20231234号", "南字第20231234号", Kind.OFFICER_CARD, None, None, None),
    ("officer_card", "军2023", "军2023", Kind.OFFICER_CARD, None, None, None),
    ("foreigner_pr", "911840198503150024", "911840198503150024", Kind.FOREIGNER_PR_2023,
     date(1985, 3, 15), "F", None),
    ("foreigner_pr", "usa110085031512", "USA110085031512", Kind.FOREIGNER_PR_2004, None, None, None),
    ("ss_card", "b00000019", "B00000019", Kind.SS_CARD, None, None, None),
]


@pytest.mark.parametrize(("doc_type", "raw", "number", "kind", "born", "gender", "upgraded_from"), ACCEPTED)
def test_accepted(doc_type, raw, number, kind, born, gender, upgraded_from):
    result = parse_identity(doc_type, raw, today=TODAY)
    assert result == IdentityNumber(doc_type, number, kind, born, gender, upgraded_from)


# --- refused numbers -----------------------------------------------------------------------------

REFUSED = [
    # doc_type, input, code
    ("id_card", "11010519491231002", "ID_FORMAT"),  # 17 characters
    ("id_card", "1101051949123100201", "ID_FORMAT"),  # 19 characters
    ("id_card", "11010519491231002Y", "ID_FORMAT"),
    ("id_card", "X10105194912310021", "ID_FORMAT"),
    ("id_card", "1101051949123100", "ID_FORMAT"),  # 16 digits: neither form
    ("id_card", "", "ID_FORMAT"),
    ("id_card", "   ", "ID_FORMAT"),
    ("id_card", "110105194912310021", "ID_CHECK_DIGIT"),
    ("id_card", "500103201006011230", "ID_CHECK_DIGIT"),
    ("id_card", "110105194902300012", "ID_BIRTH_DATE"),  # 30 February (check digit irrelevant)
    ("id_card", "110105189912310016", "ID_BIRTH_DATE"),  # before 1900
    ("id_card", "110105202506020011", "ID_BIRTH_DATE"),  # after today
    ("id_card", "010105194912310011", "ID_AREA_CODE"),
    ("id_card", "910105194912310011", "ID_AREA_CODE"),
    ("hukou", "810000199001010019", "ID_AREA_CODE"),  # residence permits are no hukou numbers
    ("id_card", "110105490230002", "ID_LEGACY_INVALID"),  # 1949-02-30
    ("id_card", "110105491301002", "ID_LEGACY_INVALID"),  # month 13
    ("id_card", "010105491231002", "ID_AREA_CODE"),
    ("id_card", "810000900101001", "ID_AREA_CODE"),  # no 15-digit residence permits
    ("hmt_permit", "H1234567", "PERMIT_FORMAT"),
    ("hmt_permit", "H123456789", "PERMIT_FORMAT"),
    ("hmt_permit", "A12345678", "PERMIT_FORMAT"),
    ("hmt_permit", "123456789", "PERMIT_FORMAT"),
    ("hmt_permit", "T12345678", "PERMIT_FORMAT"),
    ("passport", "ABCDEFGH", "PASSPORT_FORMAT"),  # no digit
    ("passport", "E123", "PASSPORT_FORMAT"),  # too short
    ("passport", "E12345678901234567", "PASSPORT_FORMAT"),  # 18 characters
    ("passport", "E1234-5678", "PASSPORT_FORMAT"),
    ("officer_card", "南字第号", "OFFICER_CARD_FORMAT"),  # no digit
    ("officer_card", "12", "OFFICER_CARD_FORMAT"),
    ("officer_card", "南字第2023-1234号", "OFFICER_CARD_FORMAT"),
    ("officer_card", "1" * 21, "OFFICER_CARD_FORMAT"),
    ("foreigner_pr", "811840198503150024", "FOREIGNER_PR_FORMAT"),  # does not start with 9
    ("foreigner_pr", "911840198503150025", "FOREIGNER_PR_FORMAT"),  # check digit
    ("foreigner_pr", "91184019850230002X", "FOREIGNER_PR_FORMAT"),  # 30 February
    ("foreigner_pr", "US1110085031512", "FOREIGNER_PR_FORMAT"),  # two letters
    ("foreigner_pr", "USA110085133112", "FOREIGNER_PR_FORMAT"),  # month 13
    ("foreigner_pr", "USA11008503151", "FOREIGNER_PR_FORMAT"),  # 14 characters
    ("ss_card", "B0000001", "CARD_NO_FORMAT"),
    ("ss_card", "100000019", "CARD_NO_FORMAT"),
    ("ss_card", "BB0000001", "CARD_NO_FORMAT"),
    ("driving_licence", "110105194912310021", "DOC_TYPE_UNKNOWN"),
]


@pytest.mark.parametrize(("doc_type", "raw", "code"), REFUSED)
def test_refused(doc_type, raw, code):
    with pytest.raises(InvalidInput) as exc:
        parse_identity(doc_type, raw, today=TODAY)
    assert exc.value.code == code
    assert exc.value.status == 400
    assert exc.value.message
    stripped = raw.strip()
    if len(stripped) >= 6:
        assert stripped not in exc.value.message  # never echo the number


def test_non_ascii_digits_are_refused():
    arabic_indic = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"  # NFKC keeps these as non-ASCII digits
    with pytest.raises(InvalidInput) as exc:
        parse_identity("id_card", arabic_indic, today=TODAY)
    assert exc.value.code == "ID_FORMAT"


def test_birth_today_is_accepted_and_tomorrow_refused():
    first17 = "500103" + "20250601" + "123"
    assert parse_identity("id_card", first17 + check_digit(first17), today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidInput) as exc:
        parse_identity("id_card", first17 + check_digit(first17), today=TODAY - timedelta(days=1))
    assert exc.value.code == "ID_BIRTH_DATE"


def test_doc_type_enum_member_is_accepted():
    from sscard.policy.choices import DocType

    assert parse_identity(DocType.ID_CARD, "11010519491231002X", today=TODAY).doc_type == "id_card"


# --- age -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("born", "on", "minor"), [
    (date(2007, 6, 2), date(2025, 6, 1), True),
    (date(2007, 6, 1), date(2025, 6, 1), False),
    (date(2007, 2, 28), date(2025, 2, 27), True),
    (date(2004, 2, 29), date(2022, 2, 28), True),
    (date(2004, 2, 29), date(2022, 3, 1), False),
])
def test_is_minor(born, on, minor):
    assert is_minor(born, on) is minor


# --- properties ----------------------------------------------------------------------------------

PERMIT_AREAS = {"810000", "820000", "830000"}
areas = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True).filter(lambda a: a not in PERMIT_AREAS)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.from_regex(r"[0-9]{3}", fullmatch=True)
legacy_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))


@given(area=areas, born=birth_dates, seq=sequences)
def test_valid_numbers_round_trip(area, born, seq):
    first17 = area + born.strftime("%Y%m%d") + seq
    number = first17 + check_digit(first17)
    result = parse_identity("id_card", number.lower(), today=TODAY)
    assert result.number == number
    assert result.kind == Kind.RESIDENT
    assert result.birth_date == born
    assert result.gender == ("M" if int(seq[2]) % 2 else "F")
    assert result.upgraded_from is None


@given(area=areas, born=birth_dates, seq=sequences, wrong=st.sampled_from("0123456789X"))
def test_wrong_check_digit_is_always_refused(area, born, seq, wrong):
    first17 = area + born.strftime("%Y%m%d") + seq
    if wrong == check_digit(first17):
        wrong = "X" if wrong == "0" else "0"
    with pytest.raises(InvalidInput) as exc:
        parse_identity("id_card", first17 + wrong, today=TODAY)
    assert exc.value.code == "ID_CHECK_DIGIT"


@given(area=areas, born=legacy_dates, seq=sequences)
def test_legacy_upgrade_keeps_birth_date(area, born, seq):
    legacy = area + born.strftime("%y%m%d") + seq
    result = parse_identity("hukou", legacy, today=TODAY)
    assert result.upgraded_from == legacy
    assert result.birth_date == born
    assert result.number[6:14] == born.strftime("%Y%m%d")
    assert result.number[:6] == area and result.number[14:17] == seq
    assert result.number[17] == check_digit(result.number[:17])
    assert parse_identity("id_card", result.number, today=TODAY).birth_date == born
