"""Identity-number validation: pure functions, no database.

``parse_identity(doc_type, number, today=...)`` checks a document number against the format of its
document type and returns an ``IdentityNumber`` with the normalised number and what the number itself
tells (birth date, gender).  Every refusal is ``InvalidInput`` with a stable code and a Chinese message
that says what is wrong without repeating the number.

Sources for the formats:

* Citizen ID number 公民身份号码: GB 11643-1999 (6-digit area code, 8-digit birth date YYYYMMDD,
  3-digit sequence whose last digit is odd for men, ISO 7064 MOD 11-2 check character 0-9/X).
  15-digit first-generation numbers carry YYMMDD (19YY) and no check character; they are upgraded by
  inserting "19" after the area code and appending the check character.
* 港澳台居民居住证 (2018): same structure as the citizen ID, area code 810000 / 820000 / 830000.
* 外国人永久居留身份证: the 2004 and 2017 editions carry a 15-character number, 3 Latin letters
  (nationality) + 12 digits, the digits holding a 4-digit accepting-authority code, the birth date YYMMDD,
  a sequence digit and a check digit.  The edition issued since 2023-12-01 (国家移民管理局《新版外国人
  永久居留身份证机读信息规则（2023版）》) follows the citizen ID standard: 18 characters, first digit "9"
  (foreigner marker; citizen numbers start with 1-8), 2-digit accepting-province code, 3-digit numeric
  nationality code, birth date YYYYMMDD at positions 7-14, 3-digit sequence (17th digit odd for men) and
  the MOD 11-2 check character.  So the 18-digit "9..." number is the 2023 edition, not the 2017 one.
  The 15-character check digit algorithm is not verified from an official text, so it is not enforced;
  the embedded date is (its century is ambiguous, so no birth date is returned).
* 港澳居民来往内地通行证: H/M + 8 digits (+ 2-digit issue count on older cards);
  台湾居民来往大陆通行证: 8 digits (current card) or 10 digits (older booklet with issue count).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sscard.core.clock import age_on
from sscard.core.errors import InvalidInput
from sscard.policy.choices import DocType


class Kind:
    """The ``IdentityNumber.kind`` values."""

    RESIDENT = "resident"
    HK_RESIDENCE_PERMIT = "hk_residence_permit"
    MACAO_RESIDENCE_PERMIT = "macao_residence_permit"
    TAIWAN_RESIDENCE_PERMIT = "taiwan_residence_permit"
    FOREIGNER_PR_2023 = "foreigner_pr_2023"  # 18 digits starting with 9
    FOREIGNER_PR_2004 = "foreigner_pr_2004"  # 3 letters + 12 digits (2004 and 2017 editions)
    HK_MACAO_TRAVEL_PERMIT = "hk_macao_travel_permit"
    TAIWAN_TRAVEL_PERMIT = "taiwan_travel_permit"
    PASSPORT = "passport"
    OFFICER_CARD = "officer_card"
    HUKOU = "hukou"
    SS_CARD = "ss_card"


@dataclass(frozen=True)
class IdentityNumber:
    """A validated identity number and what it tells about its holder."""

    doc_type: str
    number: str
    kind: str
    birth_date: date | None = None
    gender: str | None = None
    upgraded_from: str | None = None


EARLIEST_BIRTH = date(1900, 1, 1)
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK_CHARS = "10X98765432"
_PERMIT_AREAS = {
    "810000": Kind.HK_RESIDENCE_PERMIT,
    "820000": Kind.MACAO_RESIDENCE_PERMIT,
    "830000": Kind.TAIWAN_RESIDENCE_PERMIT,
}

_ID18 = re.compile(r"[0-9]{17}[0-9X]")
_ID15 = re.compile(r"[0-9]{15}")
_HK_MACAO_PERMIT = re.compile(r"[HM]([0-9]{8}|[0-9]{10})")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}|[0-9]{10}")
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_OFFICER_CARD = re.compile(r"[\u4e00-\u9fffA-Z0-9]{4,20}")
_FOREIGNER_PR_15 = re.compile(r"[A-Z]{3}[0-9]{12}")
_FOREIGNER_PR_18 = re.compile(r"9[0-9]{16}[0-9X]")
_SS_CARD = re.compile(r"[A-Z][0-9]{8}")


def check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def is_minor(birth_date: date, on: date) -> bool:
    """Under 18 full years on ``on`` (民法典 §17: 18 and over is an adult)."""
    return age_on(birth_date, on) < 18


def normalise(number: str) -> str:
    """Full-width to half-width (NFKC), spaces removed, upper case."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def parse_identity(doc_type: str, number: str, *, today: date) -> IdentityNumber:
    """Validate ``number`` as a number of document type ``doc_type`` and return what it tells.

    Raises ``InvalidInput`` with a stable code (``ID_FORMAT``, ``ID_CHECK_DIGIT``, ``ID_BIRTH_DATE``,
    ``ID_AREA_CODE``, ``ID_LEGACY_INVALID``, ``PERMIT_FORMAT``, ``PASSPORT_FORMAT``,
    ``OFFICER_CARD_FORMAT``, ``FOREIGNER_PR_FORMAT``, ``CARD_NO_FORMAT``, ``DOC_TYPE_UNKNOWN``).
    ``today`` bounds the birth date (pass ``clock.today()``).
    """
    parser = _PARSERS.get(str(doc_type))
    if parser is None:
        raise InvalidInput("DOC_TYPE_UNKNOWN", "不支持的证件类型", details={"doc_type": str(doc_type)})
    doc = DocType(str(doc_type))
    if not isinstance(number, str):
        raise InvalidInput(_FORMAT_CODES[doc], f"{doc.label}号码必须是文本", details={"doc_type": doc.value})
    value = normalise(number)
    if not value:
        raise InvalidInput(_FORMAT_CODES[doc], f"{doc.label}号码为空", details={"doc_type": doc.value})
    return parser(doc, value, today)


# --- citizen ID / residence permit / hukou -------------------------------------------------------


def _parse_citizen(doc: DocType, value: str, today: date) -> IdentityNumber:
    if len(value) == 15 and _ID15.fullmatch(value):
        return _parse_legacy(doc, value)
    if len(value) != 18:
        raise _err("ID_FORMAT", doc, f"{doc.label}号码应为18位（或15位旧号码），实际为{len(value)}位")
    if not _ID18.fullmatch(value):
        raise _err("ID_FORMAT", doc, f"{doc.label}号码应为17位数字加1位数字或X")
    kind = _citizen_kind(doc, value[:6])
    born = _date_or_none(value[6:14])
    if born is None:
        raise _err("ID_BIRTH_DATE", doc, f"{doc.label}号码中的出生日期不是有效日期")
    _check_birth_range(doc, born, today, "ID_BIRTH_DATE")
    if check_digit(value[:17]) != value[17]:
        raise _err("ID_CHECK_DIGIT", doc, f"{doc.label}号码校验位不正确，请核对号码是否输错")
    return IdentityNumber(doc.value, value, kind, born, _gender(value[16]))


def _parse_legacy(doc: DocType, value: str) -> IdentityNumber:
    kind = _citizen_kind(doc, value[:6], legacy=True)
    born = _date_or_none("19" + value[6:12])
    if born is None:
        raise _err("ID_LEGACY_INVALID", doc,
                   f"15位旧{doc.label}号码中的出生日期（第7-12位）不是有效日期，无法升级为18位号码")
    first17 = value[:6] + "19" + value[6:]
    upgraded = first17 + check_digit(first17)
    return IdentityNumber(doc.value, upgraded, kind, born, _gender(value[14]),
                          upgraded_from=value)


def _citizen_kind(doc: DocType, area: str, *, legacy: bool = False) -> str:
    if area in _PERMIT_AREAS:
        if legacy:
            raise _err("ID_AREA_CODE", doc, "15位旧号码不可能是港澳台居民居住证号码，请核对地址码")
        if doc == DocType.HUKOU:
            raise _err("ID_AREA_CODE", doc, "港澳台居民居住证号码不能作为户口簿号码使用")
        return _PERMIT_AREAS[area]
    if area[0] not in "12345678":
        raise _err("ID_AREA_CODE", doc, f"{doc.label}号码的地址码（前6位）无效：首位应为1-8")
    return Kind.HUKOU if doc == DocType.HUKOU else Kind.RESIDENT


# --- other documents -----------------------------------------------------------------------------


def _parse_hmt_permit(doc: DocType, value: str, today: date) -> IdentityNumber:
    if _HK_MACAO_PERMIT.fullmatch(value):
        return IdentityNumber(doc.value, value, Kind.HK_MACAO_TRAVEL_PERMIT)
    if _TAIWAN_PERMIT.fullmatch(value):
        return IdentityNumber(doc.value, value, Kind.TAIWAN_TRAVEL_PERMIT)
    raise _err("PERMIT_FORMAT", doc, "通行证号码格式不正确：港澳居民为H或M加8位或10位数字，"
                                     "台湾居民为8位或10位数字")


def _parse_passport(doc: DocType, value: str, today: date) -> IdentityNumber:
    # Chinese passports (E + 8 digits, E + letter + 7 digits, G + 8 digits, P/S/D + digits) are all
    # within the general shape, which also covers foreign passports.
    if not _PASSPORT.fullmatch(value):
        raise _err("PASSPORT_FORMAT", doc, f"护照号码应为5-17位字母或数字，实际为{len(value)}位或含其他字符")
    if not any(c.isdigit() for c in value):
        raise _err("PASSPORT_FORMAT", doc, "护照号码应至少包含一位数字")
    return IdentityNumber(doc.value, value, Kind.PASSPORT)


def _parse_officer_card(doc: DocType, value: str, today: date) -> IdentityNumber:
    if not _OFFICER_CARD.fullmatch(value):
        raise _err("OFFICER_CARD_FORMAT", doc, "军官证号码应为4-20位汉字、字母或数字")
    if not any("0" <= c <= "9" for c in value):
        raise _err("OFFICER_CARD_FORMAT", doc, "军官证号码应至少包含一位数字")
    return IdentityNumber(doc.value, value, Kind.OFFICER_CARD)


def _parse_foreigner_pr(doc: DocType, value: str, today: date) -> IdentityNumber:
    if len(value) == 18:
        if not _FOREIGNER_PR_18.fullmatch(value):
            raise _err("FOREIGNER_PR_FORMAT", doc, "18位外国人永久居留身份证号码应以9开头，为17位数字加1位数字或X")
        born = _date_or_none(value[6:14])
        if born is None:
            raise _err("FOREIGNER_PR_FORMAT", doc, "外国人永久居留身份证号码中的出生日期（第7-14位）不是有效日期")
        _check_birth_range(doc, born, today, "FOREIGNER_PR_FORMAT")
        if check_digit(value[:17]) != value[17]:
            raise _err("FOREIGNER_PR_FORMAT", doc, "外国人永久居留身份证号码校验位不正确，请核对号码是否输错")
        return IdentityNumber(doc.value, value, Kind.FOREIGNER_PR_2023, born, _gender(value[16]))
    if len(value) == 15:
        if not _FOREIGNER_PR_15.fullmatch(value):
            raise _err("FOREIGNER_PR_FORMAT", doc, "15位外国人永久居留身份证号码应为3位字母加12位数字")
        yymmdd = value[7:13]
        candidates = [d for d in (_date_or_none("19" + yymmdd), _date_or_none("20" + yymmdd))
                      if d is not None and EARLIEST_BIRTH <= d <= today]
        if not candidates:
            raise _err("FOREIGNER_PR_FORMAT", doc, "外国人永久居留身份证号码中的出生日期（第8-13位）不是有效日期")
        return IdentityNumber(doc.value, value, Kind.FOREIGNER_PR_2004)
    raise _err("FOREIGNER_PR_FORMAT", doc, f"外国人永久居留身份证号码应为18位或15位，实际为{len(value)}位")


def _parse_ss_card(doc: DocType, value: str, today: date) -> IdentityNumber:
    if not _SS_CARD.fullmatch(value):
        raise _err("CARD_NO_FORMAT", doc, "社会保障卡卡号应为1位字母加8位数字")
    return IdentityNumber(doc.value, value, Kind.SS_CARD)


# --- helpers -------------------------------------------------------------------------------------


def _err(code: str, doc: DocType, message: str) -> InvalidInput:
    return InvalidInput(code, message, details={"doc_type": doc.value})


def _date_or_none(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _check_birth_range(doc: DocType, born: date, today: date, code: str) -> None:
    if born < EARLIEST_BIRTH:
        raise _err(code, doc, f"{doc.label}号码中的出生日期早于1900年1月1日")
    if born > today:
        raise _err(code, doc, f"{doc.label}号码中的出生日期晚于今天")


def _gender(digit: str) -> str:
    return "M" if int(digit) % 2 else "F"


_PARSERS = {
    DocType.ID_CARD.value: _parse_citizen,
    DocType.HUKOU.value: _parse_citizen,
    DocType.HMT_PERMIT.value: _parse_hmt_permit,
    DocType.PASSPORT.value: _parse_passport,
    DocType.OFFICER_CARD.value: _parse_officer_card,
    DocType.FOREIGNER_PR.value: _parse_foreigner_pr,
    DocType.SS_CARD.value: _parse_ss_card,
}
_FORMAT_CODES = {
    DocType.ID_CARD: "ID_FORMAT",
    DocType.HUKOU: "ID_FORMAT",
    DocType.HMT_PERMIT: "PERMIT_FORMAT",
    DocType.PASSPORT: "PASSPORT_FORMAT",
    DocType.OFFICER_CARD: "OFFICER_CARD_FORMAT",
    DocType.FOREIGNER_PR: "FOREIGNER_PR_FORMAT",
    DocType.SS_CARD: "CARD_NO_FORMAT",
}


# --- the one form a number is stored and looked up by ----------------------------------------------

#: Document types whose numbers follow GB 11643 (a 15-digit first-generation number is the same person
#: as its 18-digit upgrade).
CITIZEN_DOC_TYPES = frozenset({DocType.ID_CARD.value, DocType.HUKOU.value})


def canonical_number(number: str, doc_type: str | None = None) -> str:
    """The form every path stores and looks an identity number up by: ``normalise``d (full-width to
    half-width, spaces out, upper case, so a lower-case ``x`` is ``X``), and a 15-digit first-generation
    citizen number upgraded to its 18 digits with the GB 11643 check character.

    ``doc_type`` None (a path that takes a bare ID number: the citizen sign-in, the hotline's caller
    check, the admin search) treats a 15-digit all-digit number as a citizen number.  A number that is
    not a valid legacy number (its birth date, its area code) is returned normalised only: the caller's
    own validation, if any, refuses it.
    """
    value = normalise(number) if isinstance(number, str) else ""
    if (doc_type is None or str(doc_type) in CITIZEN_DOC_TYPES) and _ID15.fullmatch(value):
        first17 = value[:6] + "19" + value[6:]
        if value[0] in "12345678" and value[:6] not in _PERMIT_AREAS and _date_or_none(first17[6:14]):
            return first17 + check_digit(first17)
    return value
