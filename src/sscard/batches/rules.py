"""Pure rules of batches: the batch state table and the checks of one sheet row (no database).

``TRANSITIONS`` is the batch state machine: ``{(state, event): next_state}``; anything not listed is
refused.  ``ROW_TRANSITIONS`` is the same for a stored row (an accepted row leaves its batch by 批量转零星).  ``check_row`` turns one row of the detail sheet into clean values or a list of Chinese
problems; checks that need the database (existing cards, pending applications) or the scans archive are
made by the validation service.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from sscard.batches import columns as cols
from sscard.batches.choices import BatchEvent as E
from sscard.batches.choices import BatchStatus as S
from sscard.batches.choices import RowEvent, RowStatus
from sscard.core.clock import age_on
from sscard.core.errors import InvalidInput
from sscard.people.idnumbers import parse_identity
from sscard.policy.choices import DocType

TRANSITIONS = {
    (S.QUEUED, E.START): S.VALIDATING,
    (S.QUEUED, E.FAIL): S.FAILED,
    (S.VALIDATING, E.START): S.VALIDATING,  # a worker resuming after a crash
    (S.VALIDATING, E.FINISH): S.VALIDATED,
    (S.VALIDATING, E.FAIL): S.FAILED,
}

ROW_TRANSITIONS = {
    (RowStatus.ACCEPTED, RowEvent.CONVERT): RowStatus.CONVERTED,
}

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NAME_BAD = re.compile(r"[\x00-\x1f<>\"'=;\\]")
LONG_TERM = "长期"


def next_state(state: str, event: str) -> str | None:
    return TRANSITIONS.get((state, event))


def next_row_status(status: str, event: str) -> str | None:
    return ROW_TRANSITIONS.get((status, event))


@dataclass
class RowCheck:
    """The outcome of one row: clean values when ``problems`` is empty."""

    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    doc_type: str = ""
    id_number: str = ""  # normalised (15-digit numbers upgraded)
    birth_date: dt.date | None = None
    gender: str = ""  # "M" / "F"
    minor: bool = False
    guardian_doc_type: str = ""
    guardian_number: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _date(value: str) -> dt.date | None:
    m = _DATE.match(value.replace("/", "-").replace(".", "-"))
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def check_row(values: dict[str, str], *, kind: str, numeric: set[str], today: dt.date, adult_age: int,
              banks: tuple[str, ...]) -> RowCheck:
    """Check one row (``values`` keyed by column key).  ``numeric`` names columns typed as numbers."""
    chk = RowCheck(values=values)
    p = chk.problems
    for col in cols.columns(kind):
        if col.required and not values.get(col.key):
            p.append(f"{col.header}未填写")
    name = values.get("name", "")
    if name and (len(name) > 50 or _NAME_BAD.search(name)):
        p.append("姓名含有不允许的字符或过长")
    _check_identity(chk, values, numeric, today, adult_age)
    _check_choices(chk, values, kind, banks)
    phone = values.get("phone", "")
    if phone and not _PHONE.match(phone):
        p.append("联系手机须为 11 位手机号码" + ("（请按文本填写）" if "phone" in numeric else ""))
    if len(values.get("address", "")) > 200:
        p.append("通讯地址不能超过 200 个字符")
    valid_until = values.get("doc_valid_until", "")
    if valid_until and valid_until != LONG_TERM:
        until = _date(valid_until)
        if until is None:
            p.append("证件有效期格式应为 YYYY-MM-DD 或“长期”")
        elif until < today:
            p.append("证件已过有效期")
    if chk.minor:
        _check_guardian(chk, values, today, adult_age)
    return chk


def _check_identity(chk: RowCheck, values: dict[str, str], numeric: set[str], today: dt.date,
                    adult_age: int) -> None:
    p = chk.problems
    doc_label, number = values.get("doc_type", ""), values.get("doc_number", "")
    doc_type = cols.DOC_TYPE_BY_LABEL.get(doc_label, "")
    if doc_label and not doc_type:
        p.append("证件类型不在可选范围内")
    if not (doc_type and number):
        return
    if "doc_number" in numeric:
        p.append("证件号码被存为数值（可能已丢失位数），请将该列设为文本后重新填写")
        return
    try:
        ident = parse_identity(doc_type, number, today=today)
    except InvalidInput as exc:
        p.append(exc.message)
        return
    chk.doc_type, chk.id_number = doc_type, ident.number
    birth = _date(values.get("birth_date", "")) if values.get("birth_date") else None
    if values.get("birth_date") and birth is None:
        p.append("出生日期格式应为 YYYY-MM-DD")
    if ident.birth_date and birth and ident.birth_date != birth:
        p.append("出生日期与证件号码不一致")
    born = ident.birth_date or birth
    if born and born > today:
        p.append("出生日期晚于今天")
        born = None
    chk.birth_date = born
    if born:
        chk.minor = age_on(born, today) < adult_age
    gender = {"男": "M", "女": "F"}.get(values.get("gender", ""), "")
    if ident.gender and gender and ident.gender != gender:
        p.append("性别与证件号码不一致")
    chk.gender = ident.gender or gender
    if chk.minor is False and doc_type == DocType.HUKOU:
        p.append("户口簿仅适用于未成年人，成年人请使用身份证等证件")


def _check_choices(chk: RowCheck, values: dict[str, str], kind: str, banks: tuple[str, ...]) -> None:
    p = chk.problems
    if values.get("gender") and values["gender"] not in cols.GENDERS:
        p.append("性别须为“男”或“女”")
    nationality = values.get("nationality", "")
    ethnicity = values.get("ethnicity", "")
    if ethnicity and ethnicity not in cols.ETHNIC_GROUPS:
        p.append("民族不在可选范围内")
    if nationality == "中国" and not ethnicity:
        p.append("中国国籍须填写民族")
    if len(nationality) > 40:
        p.append("国籍名称过长")
    if values.get("service_bank") and values["service_bank"] not in banks:
        p.append("服务银行不在合作银行范围内")
    if kind == cols.REISSUE:
        if values.get("business") and values["business"] not in cols.REISSUE_BUSINESSES:
            p.append("业务类型须为补领、换领或换发")
        if values.get("reason") and values["reason"] not in cols.REASON_BY_LABEL:
            p.append("原因不在可选范围内")
        if values.get("photo_changed") and values["photo_changed"] not in cols.YES_NO:
            p.append("是否更换照片须为“是”或“否”")


def _check_guardian(chk: RowCheck, values: dict[str, str], today: dt.date, adult_age: int) -> None:
    p = chk.problems
    g_label, g_number, g_name = (values.get("guardian_doc_type", ""), values.get("guardian_doc_number", ""),
                                 values.get("guardian_name", ""))
    if not (g_label and g_number and g_name):
        p.append("未成年人须填写监护人证件类型、证件号码和姓名")
        return
    g_type = cols.DOC_TYPE_BY_LABEL.get(g_label, "")
    if not g_type or g_type == DocType.HUKOU:
        p.append("监护人证件类型不在可选范围内")
        return
    try:
        ident = parse_identity(g_type, g_number, today=today)
    except InvalidInput as exc:
        p.append("监护人" + exc.message)
        return
    if ident.number == chk.id_number:
        p.append("监护人不能是本人")
    elif ident.birth_date and age_on(ident.birth_date, today) < adult_age:
        p.append("监护人须为成年人")
    chk.guardian_doc_type, chk.guardian_number = g_type, ident.number
