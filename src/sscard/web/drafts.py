"""A business's form as posted by a window page, cleaned into the services' inputs.

Only the shape of the input is checked here (present, length, date format, image decodable): every rule
of the procedure is the services'.  Problems are collected by field, never raised, so a page names them
all at once.  Its own messages are in the page's language; a service's refusal (``exc.message``) stays
the services' Chinese.
"""

import datetime as dt

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sscard.archive.rules import decode_base64_image
from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.desk.intake import DocInput, EvidenceInput, PersonData
from sscard.people.idnumbers import parse_identity
from sscard.policy.choices import ApplicantRole, DocType
from sscard.web.vocabulary import choices_of

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# (value, label) of the document types each party may show; labels in the page's language when rendered
APPLICANT_DOC_TYPES = choices_of(DocType, [DocType.ID_CARD, DocType.HUKOU, DocType.HMT_PERMIT,
                                           DocType.PASSPORT, DocType.FOREIGNER_PR])
HOLDER_DOC_TYPES = choices_of(DocType, [DocType.ID_CARD, DocType.SS_CARD, DocType.HUKOU, DocType.HMT_PERMIT,
                                        DocType.PASSPORT, DocType.FOREIGNER_PR])
AGENT_DOC_TYPES = choices_of(DocType, [DocType.ID_CARD, DocType.SS_CARD])
IMAGE_SLOTS = [("credential_1", gettext_lazy("凭证影像（正面）")),
               ("credential_2", gettext_lazy("凭证影像（背面）")),
               ("scene", gettext_lazy("办理场景影像"))]
LABELS = {"applicant": pgettext_lazy("party in a sentence", "申办人"),
          "agent": pgettext_lazy("party in a sentence", "代办人"),
          "handler": pgettext_lazy("party in a sentence", "领卡经办人")}


class Draft:
    """Role, parties' documents, images, signature and paper reference of a window form."""

    def __init__(self, post, files, *, roles: list[tuple[str, str]]):
        self.post, self.files, self.errors = post, files, {}
        self.role = post.get("role", ApplicantRole.SELF)
        if self.role not in dict(roles):
            self.errors["role"] = _("请选择办理方式")
            self.role = roles[0][0] if roles else ApplicantRole.SELF
        slots = dict(IMAGE_SLOTS)
        self.photo = self.image("photo", _("照片"))
        self.credentials = [img for img in (self.image("credential_1", slots["credential_1"]),
                                            self.image("credential_2", slots["credential_2"])) if img]
        self.scene = self.image("scene", slots["scene"])
        self.signature = self.image("signature", _("签名"))
        self.paper_ref = post.get("paper_ref", "").strip()[:100]

    @property
    def by_agent(self) -> bool:
        return self.role != ApplicantRole.SELF

    def text(self, name: str, limit: int) -> str:
        return self.post.get(name, "").strip()[:limit]

    def doc(self, who: str, doc_types) -> DocInput:
        doc_type = self.post.get(f"{who}_doc_type", DocType.ID_CARD)
        if doc_type not in dict(doc_types):
            self.errors[f"{who}_doc_type"] = _("请选择证件类型")
        number = self.text(f"{who}_number", 40).upper()
        if not number:
            self.errors[f"{who}_number"] = _("请输入%(party)s证件号码，或读取身份证") % {"party": LABELS[who]}
        elif doc_type in dict(doc_types) and doc_type != DocType.SS_CARD:
            try:  # the intake's own number rule (check digit, date, format), named before the submit
                parse_identity(doc_type, number, today=clock.today())
            except DomainError as exc:
                self.errors[f"{who}_number"] = _("%(label)s：%(message)s") % {"label": capfirst(LABELS[who]),
                                                                               "message": exc.message}
        return DocInput(doc_type=doc_type, number=number)

    def person(self, who: str, doc_types, *, name_required: bool = True) -> PersonData:
        doc = self.doc(who, doc_types)
        name = self.text(f"{who}_name", 50)
        if name_required and not name:
            self.errors[f"{who}_name"] = _("请输入%(party)s姓名") % {"party": LABELS[who]}
        birth = None
        if self.post.get(f"{who}_birth_date"):
            try:
                birth = dt.date.fromisoformat(self.post.get(f"{who}_birth_date"))
            except ValueError:
                self.errors[f"{who}_birth_date"] = (_("%(party)s出生日期格式应为 年-月-日")
                                                    % {"party": LABELS[who]})
        return PersonData(doc_type=doc.doc_type, number=doc.number, name=name, birth_date=birth)

    def image(self, slot: str, label: str) -> bytes | None:
        upload = self.files.get(f"{slot}_file")
        if upload:
            if upload.size > MAX_UPLOAD_BYTES:
                self.errors[slot] = (_("%(label)s：文件过大，不能超过 %(kb)s KB")
                                     % {"label": label, "kb": MAX_UPLOAD_BYTES // 1024})
                return None
            return upload.read()
        data = self.post.get(f"{slot}_data", "").strip()
        if not data:
            return None
        try:
            return decode_base64_image(data)
        except DomainError as exc:
            self.errors[slot] = _("%(label)s：%(message)s") % {"label": label, "message": exc.message}
            return None

    def evidence(self, *, photo: bool = True) -> EvidenceInput:
        return EvidenceInput(credential_images=self.credentials, scene_image=self.scene,
                             signature_image=self.signature, paper_archive_ref=self.paper_ref,
                             photo=self.photo if photo else None)

    def input_problems(self) -> list[dict]:
        return [{"field": k, "message": v} for k, v in self.errors.items()]


def image_slots(post=None) -> list[tuple[str, str, str]]:
    """(slot, label, value) of the evidence images: a form shown again keeps what was captured."""
    post = post or {}
    return [(slot, label, post.get(f"{slot}_data", "")) for slot, label in IMAGE_SLOTS]
