"""社保卡申领 at the window: one form in steps (role, applicant, agent, photo, images, signature), a
check-answers view of the same form data, and the submit that calls ``desk.applications.card_apply``.

Nothing is stored before the submit: the draft lives in the clerk's browser (no personal data or image
sits in the session table).  The check-answers view and the submit name every missing item at once,
from the same rules the intake refuses with (``desk.checklist.draft_problems``).
"""

import datetime as dt

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sscard.archive.rules import decode_base64_image
from sscard.batches.scans import check_photo
from sscard.core.errors import DomainError
from sscard.desk.applications import card_apply
from sscard.desk.checklist import checklist_for, draft_problems, window_roles
from sscard.desk.intake import EvidenceInput, PersonData
from sscard.policy.choices import ApplicantRole, Business, Channel, DocType
from sscard.web.access import page

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
APPLICANT_DOC_TYPES = [(d.value, d.label) for d in (DocType.ID_CARD, DocType.HUKOU, DocType.HMT_PERMIT,
                                                     DocType.PASSPORT, DocType.FOREIGNER_PR)]
AGENT_DOC_TYPES = [(d.value, d.label) for d in (DocType.ID_CARD, DocType.SS_CARD)]
IMAGE_SLOTS = [("credential_1", "凭证影像（正面）"), ("credential_2", "凭证影像（背面）"), ("scene", "办理场景影像")]


class Draft:
    """The posted form, cleaned: parties, images (decoded) and what is wrong with the input itself."""

    def __init__(self, post, files):
        self.post, self.files, self.errors = post, files, {}
        self.role = post.get("role", ApplicantRole.SELF)
        if self.role not in dict(window_roles(Business.APPLY)):
            self.errors["role"] = "请选择办理方式"
            self.role = ApplicantRole.SELF
        self.applicant = self._person("applicant", APPLICANT_DOC_TYPES, full=True)
        self.agent = self._person("agent", AGENT_DOC_TYPES, full=False) if self.role != ApplicantRole.SELF else None
        self.photo = self._image("photo", "照片")
        self.credentials = [img for img in (self._image("credential_1", "凭证影像（正面）"),
                                            self._image("credential_2", "凭证影像（背面）")) if img]
        self.scene = self._image("scene", "办理场景影像")
        self.signature = self._image("signature", "签名")
        self.paper_ref = post.get("paper_ref", "").strip()[:100]

    def _person(self, who: str, doc_types, *, full: bool) -> PersonData:
        p = self.post
        doc_type = p.get(f"{who}_doc_type", DocType.ID_CARD)
        if doc_type not in dict(doc_types):
            self.errors[f"{who}_doc_type"] = "请选择证件类型"
        number = p.get(f"{who}_number", "").strip().upper()[:40]
        name = p.get(f"{who}_name", "").strip()[:50]
        label = "申办人" if who == "applicant" else "代办人"
        if not number:
            self.errors[f"{who}_number"] = f"请输入{label}证件号码"
        if not name:
            self.errors[f"{who}_name"] = f"请输入{label}姓名"
        birth = None
        if p.get(f"{who}_birth_date"):
            try:
                birth = dt.date.fromisoformat(p.get(f"{who}_birth_date"))
            except ValueError:
                self.errors[f"{who}_birth_date"] = f"{label}出生日期格式应为 年-月-日"
        data = PersonData(doc_type=doc_type, number=number, name=name, birth_date=birth)
        if full:
            data.gender = p.get(f"{who}_gender", "") if p.get(f"{who}_gender", "") in ("M", "F") else ""
            data.ethnicity = p.get(f"{who}_ethnicity", "").strip()[:20]
            data.phone = p.get(f"{who}_phone", "").strip()[:20]
            data.address = p.get(f"{who}_address", "").strip()[:200]
            if not data.phone:
                self.errors[f"{who}_phone"] = "请输入联系电话"
            if not data.address:
                self.errors[f"{who}_address"] = "请输入居住地址"
        return data

    def _image(self, slot: str, label: str) -> bytes | None:
        upload = self.files.get(f"{slot}_file")
        try:
            if upload:
                if upload.size > MAX_UPLOAD_BYTES:
                    self.errors[slot] = f"{label}：文件过大，不能超过 {MAX_UPLOAD_BYTES // 1024} KB"
                    return None
                return upload.read()
            data = self.post.get(f"{slot}_data", "").strip()
            return decode_base64_image(data) if data else None
        except DomainError as exc:
            self.errors[slot] = f"{label}：{exc.message}"
            return None

    def evidence(self) -> EvidenceInput:
        return EvidenceInput(credential_images=self.credentials, scene_image=self.scene,
                             signature_image=self.signature, paper_archive_ref=self.paper_ref, photo=self.photo)


def _checklist(request, role: str):
    return checklist_for(business=Business.APPLY, channel=Channel.WINDOW, role=role, outlet=request.staff.outlet)


def _form_context(request, draft: Draft | None = None, **extra) -> dict:
    role = draft.role if draft else request.GET.get("role", ApplicantRole.SELF)
    if role not in dict(window_roles(Business.APPLY)):
        role = ApplicantRole.SELF
    return {"title": "社保卡申领", "roles": window_roles(Business.APPLY), "role": role,
            "checklist": _checklist(request, role), "applicant_doc_types": APPLICANT_DOC_TYPES,
            "agent_doc_types": AGENT_DOC_TYPES, "image_slots": IMAGE_SLOTS, "post": draft.post if draft else {},
            **extra}


@page("card.apply")
def apply_form(request):
    return render(request, "web/window/apply.html", _form_context(request))


def _problems(request, draft: Draft) -> list[dict]:
    checklist = _checklist(request, draft.role)
    problems = [{"field": k, "message": v} for k, v in draft.errors.items()]
    problems += draft_problems(checklist, applicant_doc=draft.applicant.doc_type,
                               agent_doc=draft.agent.doc_type if draft.agent else None, evidence=draft.evidence())
    if draft.photo is not None:
        problems += [{"field": "photo", "message": f"照片：{m}"} for m in check_photo(draft.photo)]
    return problems


@page("card.apply")
@require_POST
def apply_review(request):
    """核对信息: the draft as rows with a 修改 link each, and everything still missing (nothing saved)."""
    draft = Draft(request.POST, request.FILES)
    problems = _problems(request, draft)
    return render(request, "web/window/partials/apply_review.html",
                  {"draft": draft, "problems": problems, "checklist": _checklist(request, draft.role),
                   "role_label": str(ApplicantRole(draft.role).label)})


@page("card.apply")
@require_POST
def photo_check(request):
    """The photo rule on the captured or uploaded photo, before the clerk moves on (htmx partial)."""
    draft_photo = Draft.__new__(Draft)
    draft_photo.post, draft_photo.files, draft_photo.errors = request.POST, request.FILES, {}
    photo = draft_photo._image("photo", "照片")
    problems = list(draft_photo.errors.values())
    if photo is None and not problems:
        problems = ["请先拍摄或上传照片"]
    elif photo is not None:
        problems = check_photo(photo)
    return render(request, "web/window/partials/photo_check.html", {"problems": problems})


@page("card.apply")
@require_POST
def apply_submit(request):
    draft = Draft(request.POST, request.FILES)
    problems = _problems(request, draft)
    if problems:
        return render(request, "web/window/apply.html",
                      _form_context(request, draft, errors={p.get("field") or p.get("code"): p["message"]
                                                            for p in problems}), status=400)
    try:
        req = card_apply(actor=request.actor, applicant=draft.applicant, agent=draft.agent,
                         evidence=draft.evidence())
    except DomainError as exc:
        missing = exc.details.get("missing") or [{"code": exc.code, "message": exc.message}]
        return render(request, "web/window/apply.html",
                      _form_context(request, draft, errors={m["code"]: m["message"] for m in missing}),
                      status=exc.status)
    request.session["window_person_id"] = req.applicant_id
    return redirect("web:window_request", no=req.request_no)
