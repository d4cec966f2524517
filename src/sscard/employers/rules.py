"""Unified social credit code (统一社会信用代码) validation: pure functions, no database.

Source: GB 32100-2015《法人和其他组织统一社会信用代码编码规则》 (openstd.samr.gov.cn, hcno
24691C25985C1073D3A7C85629378AC0), with its worked example "91350100M000100Y4Z" (weighted sum 1640,
check value 3) as reproduced e.g. at https://www.yc00.com/web/1713075042a2177900.html, and
GB 11714-1997《全国组织机构代码编制规则》 §2.1.2 (https://zh.wikisource.org/wiki/GB_11714-1997).

Structure of the 18 characters:

* 1: registration authority (登记管理部门代码), 2: organisation type (机构类别代码);
* 3-8: administrative division of the registering authority (登记管理机关行政区划码, GB/T 2260, digits);
* 9-17: subject identifier = organisation code (主体标识码 / 组织机构代码, GB 11714): 8 body characters
  and its own check character at position 17: C9 = 11 - MOD(sum(Ci * Wi), 11) with weights
  3 7 9 10 5 8 4 2 and character values 0-9, A=10 ... Z=35 (GB 11714 annex A); 10 -> "X", 11 -> "0";
* 18: check character: C18 = 31 - MOD(sum(Ci * Wi), 31) over the first 17, Wi = MOD(3^(i-1), 31)
  (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28), 31 -> 0, the value written in the code charset.

Code charset (GB 32100 table 1): 0-9 and the capitals without I, O, Z, S, V, valued 0..30 in order.
"""

import re

from sscard.core.errors import InvalidInput

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_SHAPE = re.compile(rf"[{CHARSET}]{{2}}[0-9]{{6}}[{CHARSET}]{{10}}")


def uscc_check_char(first17: str) -> str:
    """The 18th character (GB 32100) for the first 17 characters."""
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """The organisation code's check character (GB 11714) for its 8 body characters."""
    total = sum(_ORG_VALUES[c] * w for c, w in zip(body8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def normalise_uscc(code) -> str:
    return "".join(str(code or "").split()).upper()


def validate_uscc(code) -> str:
    """The normalised code (whitespace removed, upper case) or ``InvalidInput``: ``USCC_FORMAT`` for a
    wrong length, character or structure, ``USCC_CHECK`` for a wrong check character (position 17 or 18)."""
    value = normalise_uscc(code)
    if len(value) != 18:
        raise InvalidInput("USCC_FORMAT", "统一社会信用代码应为18位", rule="GB 32100-2015")
    if not _SHAPE.fullmatch(value):
        raise InvalidInput("USCC_FORMAT", "统一社会信用代码格式不正确：只能由数字和大写字母（不含I、O、Z、S、V）组成，"
                                          "第3至8位为行政区划码（数字）", rule="GB 32100-2015")
    if org_check_char(value[8:16]) != value[16]:
        raise InvalidInput("USCC_CHECK", "统一社会信用代码第17位（组织机构代码校验码）不正确，请核对",
                           rule="GB 11714-1997")
    if uscc_check_char(value[:17]) != value[17]:
        raise InvalidInput("USCC_CHECK", "统一社会信用代码第18位校验码不正确，请核对", rule="GB 32100-2015")
    return value


def make_uscc(prefix: str = "91", division: str = "500103", body8: str = "MA5U0000") -> str:
    """A valid code from its parts (tests and demo data): org check character and final check appended."""
    first17 = prefix + division + body8 + org_check_char(body8)
    return first17 + uscc_check_char(first17)
