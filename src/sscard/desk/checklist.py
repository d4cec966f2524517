"""The materials checklist of a business before it is submitted: what the catalogue asks for this
(business, channel, applicant role) and what this outlet's means make of it (images or a paper-archive
number, signature pad or printed form), and what is still missing in a draft.

Reads only the catalogue, the outlet and the same problem functions the intake refuses with
(``policy.rules.material_problems``, ``desk.intake.evidence_problems``): a page shows the list and the
intake enforces it, from one set of rules.
"""

from dataclasses import dataclass, field

from sscard.desk.intake import (
    EvidenceInput,
    EvidenceNeeds,
    evidence_needs,
    evidence_problems,
)
from sscard.policy.catalogue import Cell, get_catalogue
from sscard.policy.choices import ApplicantRole, Channel, PhotoRule
from sscard.policy.rules import Materials, doc_list, material_problems, resolve_cell


@dataclass(frozen=True)
class Item:
    key: str  # stable: applicant_doc, agent_doc, photo, credential_images, scene_image, signature, paper_ref
    label: str
    detail: str = ""
    required: bool = True


@dataclass
class Checklist:
    business: str
    business_label: str
    role: str
    role_label: str
    cell: Cell
    needs: EvidenceNeeds
    items: list[Item] = field(default_factory=list)

    @property
    def keys(self) -> set[str]:
        return {i.key for i in self.items}


def window_roles(business: str) -> list[tuple[str, str]]:
    """(role, label) a window offers this business to, in the catalogue's order of roles."""
    spec = get_catalogue().business(business)
    return [(r, str(ApplicantRole(r).label)) for r in (ApplicantRole.SELF, ApplicantRole.PROXY_ADULT,
                                                        ApplicantRole.PROXY_MINOR)
            if (c := spec.cell(Channel.WINDOW, r)) is not None and c.allowed]


def checklist_for(*, business: str, channel: str, role: str, outlet) -> Checklist:
    """The items this business needs here; a refusal (``ROLE_NOT_ALLOWED`` …) when it is not offered."""
    cell = resolve_cell(business, channel, role)
    needs = evidence_needs(cell, outlet=outlet)
    spec = get_catalogue().business(business)
    items = []
    if cell.applicant_docs and cell.evidence not in ("account", "voice"):
        items.append(Item("applicant_doc", "申办人身份凭证", f"{doc_list(cell.applicant_docs)}之一（原件）"))
    if cell.role != ApplicantRole.SELF and cell.evidence not in ("account", "voice"):
        items.append(Item("agent_doc", "代办人身份凭证", f"{doc_list(cell.agent_docs)}之一（原件）"))
    if cell.photo in (PhotoRule.REQUIRED, PhotoRule.OPTIONAL, PhotoRule.ON_CHANGE):
        items.append(Item("photo", "1寸白底免冠登记照", str(PhotoRule(cell.photo).label),
                          required=cell.photo == PhotoRule.REQUIRED))
    if needs.archive == "digital":
        items.append(Item("credential_images", "凭证影像", "拍摄或扫描所出示的身份凭证（留存复印件加盖核对水印）"))
        items.append(Item("scene_image", "办理场景影像", "现场拍摄办理人"))
    elif needs.archive == "paper":
        items.append(Item("paper_ref", "纸质资料存档编号", "本网点不具备数字化条件：复印凭证纸质存档并登记编号"))
    if needs.signature == "pad":
        items.append(Item("signature", "签字板签名", "请办理人在签字板上签名"))
    elif needs.signature == "paper":
        items.append(Item("signature", "纸质表单签字", "本网点无签字板：打印业务表单，签字后登记表单编号"))
    return Checklist(business=business, business_label=spec.label, role=role,
                     role_label=str(ApplicantRole(role).label), cell=cell, needs=needs, items=items)


def draft_problems(checklist: Checklist, *, applicant_doc: str | None, agent_doc: str | None,
                   evidence: EvidenceInput, photo_changed: bool = False) -> list[dict]:
    """Everything still missing in a draft, as the intake would name it ({code, message} each)."""
    materials = Materials(applicant_doc=applicant_doc, agent_doc=agent_doc, photo=evidence.photo is not None,
                          photo_changed=photo_changed)
    problems = material_problems(checklist.cell, materials)
    problems += evidence_problems(checklist.needs, evidence, checklist.cell)
    return [{"code": p.code, "message": p.message} for p in problems]
