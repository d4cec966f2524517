"""Checks of a business against the catalogue: is it offered here, and are the materials complete.

Every refusal carries a stable code, a Chinese message naming what is missing or why, and the rule
(catalogue business rule + version) it rests on.
"""

from dataclasses import dataclass

from sscard.core import clock
from sscard.core.errors import Refused
from sscard.policy.catalogue import Cell, get_catalogue
from sscard.policy.choices import ApplicantRole, CardReason, Channel, DocType, PhotoRule


@dataclass(frozen=True)
class Materials:
    """What was presented: document types (no numbers) and whether a photo came with the business."""

    applicant_doc: str | None = None
    agent_doc: str | None = None
    photo: bool = False
    photo_changed: bool = False


def is_minor_now(birth_date) -> bool:
    """Under the catalogue's adult age (18, 民法典 §17) on today's date (the injectable clock)."""
    return clock.age_on(birth_date, clock.today()) < get_catalogue().setting("adult_age")


def cite(rule: str) -> str:
    """How a refusal names the rule it rests on: the catalogue's rule text and its version."""
    return f"{rule}（目录版本 {get_catalogue().version}）"


def cite_business(business: str) -> str:
    """The cited rule of a business of the catalogue (its rule text and the catalogue version)."""
    return cite(get_catalogue().business(business).rule)


def _doc_label(doc: str) -> str:
    return str(DocType(doc).label) if doc in DocType.values else "未知证件类型"


def doc_list(docs) -> str:
    """Document types by their Chinese names, 「、」 between them (refusals and checklists)."""
    return "、".join(_doc_label(d) for d in docs)


def resolve_cell(business: str, channel: str, role: str) -> Cell:
    """The catalogue cell for this combination, or a refusal that says why it is not offered."""
    spec = get_catalogue().business(business)
    cell = spec.cell(channel, role)
    rule = cite_business(business)
    if cell is None:
        roles_here = [r for (c, r), x in spec.cells.items() if c == channel and x.allowed]
        if not roles_here:
            raise Refused("BUSINESS_NOT_ON_CHANNEL",
                          f"{spec.label}不能通过{Channel(channel).label}办理", rule=rule,
                          details={"business": business, "channel": channel})
        raise Refused("ROLE_NOT_ALLOWED",
                      f"{spec.label}在{Channel(channel).label}不受理{ApplicantRole(role).label}办理", rule=rule,
                      details={"business": business, "channel": channel, "role": role})
    if not cell.allowed:
        raise Refused("ROLE_NOT_ALLOWED", cell.reason, rule=rule,
                      details={"business": business, "channel": channel, "role": role})
    return cell


def precheck_channel(business: str, channel: str, *, proxy: bool) -> None:
    """Refuse before any lookup when no role of this kind (self, or either proxy) is offered here.

    The exact proxy role needs the applicant's age; when neither proxy role is offered the refusal
    does not depend on it, and the caller learns the rule before anything else is checked.
    """
    roles = (ApplicantRole.PROXY_ADULT, ApplicantRole.PROXY_MINOR) if proxy else (ApplicantRole.SELF,)
    spec = get_catalogue().business(business)
    if not any((c := spec.cell(channel, r)) is not None and c.allowed for r in roles):
        resolve_cell(business, channel, roles[0])


# The codes of a party's missing / not accepted document, spelled out so each is registered and found.
_DOC_MISSING = {"APPLICANT": "MATERIAL_APPLICANT_DOC_MISSING", "AGENT": "MATERIAL_AGENT_DOC_MISSING"}
_DOC_NOT_ACCEPTED = {"APPLICANT": "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED",
                     "AGENT": "MATERIAL_AGENT_DOC_NOT_ACCEPTED"}


def _doc_problem(party: str, holder: str, holder_in_context: str, presented: str | None, accepted,
                 rule: str) -> Refused | None:
    """One party's document: present, and one of those the cell accepts."""
    details = {"accepted": list(accepted)}
    if not presented:
        return Refused(_DOC_MISSING[party],
                       f"缺少{holder}身份凭证：请提供{doc_list(accepted)}之一", rule=rule, details=details)
    if presented not in accepted:
        return Refused(_DOC_NOT_ACCEPTED[party],
                       f"{_doc_label(presented)}不能作为{holder_in_context}的身份凭证，"
                       f"请提供{doc_list(accepted)}之一", rule=rule, details=details)
    return None


def material_problems(cell: Cell, materials: Materials) -> list[Refused]:
    """Every required document or photo that is missing or not accepted for this cell (none: [])."""
    if cell.evidence in ("account", "voice"):
        return []
    rule = cite_business(cell.business)
    found = []
    if cell.applicant_docs:
        found.append(_doc_problem("APPLICANT", "申办人", "本业务申办人", materials.applicant_doc,
                                  cell.applicant_docs, rule))
    if cell.role != ApplicantRole.SELF:
        found.append(_doc_problem("AGENT", "代办人", "代办人", materials.agent_doc, cell.agent_docs, rule))
    needs_photo = cell.photo == PhotoRule.REQUIRED or (cell.photo == PhotoRule.ON_CHANGE and materials.photo_changed)
    if needs_photo and not materials.photo:
        found.append(Refused("MATERIAL_PHOTO_MISSING", "缺少1寸白底免冠登记照", rule=rule))
    return [p for p in found if p is not None]


def raise_problems(problems: list[Refused], *, rule: str) -> None:
    """One refusal for everything missing.  Its code is the first problem's (a client that knows one
    code keeps working); the message names every problem and ``details.missing`` lists each with its
    code, so nobody has to try again to learn the next missing item."""
    if not problems:
        return
    first = problems[0]
    missing = [{"code": p.code, "message": p.message} for p in problems]
    if len(problems) > 1:
        first.message = "材料不齐：" + "；".join(p.message for p in problems)
    first.rule = first.rule or rule
    first.details = {**first.details, "missing": missing}
    raise first


def check_materials(cell: Cell, materials: Materials) -> None:
    """Refuse when a required document or photo is missing or not accepted for this cell (all named)."""
    raise_problems(material_problems(cell, materials), rule=cite_business(cell.business))


def check_business(*, business: str, channel: str, role: str, materials: Materials) -> Cell:
    cell = resolve_cell(business, channel, role)
    check_materials(cell, materials)
    return cell


def check_card_state(business: str, card_state: str, state_label: str) -> None:
    spec = get_catalogue().business(business)
    if spec.card_states and card_state not in spec.card_states:
        raise Refused("CARD_STATE_NOT_ALLOWED", f"社保卡当前状态为“{state_label}”，不能办理{spec.label}",
                      rule=cite_business(business), details={"card_state": card_state})


def check_reason(business: str, reason: str) -> None:
    spec = get_catalogue().business(business)
    if spec.reasons and reason not in spec.reasons:
        allowed = "、".join(str(CardReason(r).label) for r in spec.reasons)
        raise Refused("REASON_NOT_ALLOWED", f"{spec.label}的原因应为：{allowed}", rule=cite_business(business))

