"""社保卡申领 at the window: one form in steps (role, applicant, agent, photo, images, signature), a
check-answers view of the same form data, and the submit that calls ``desk.applications.card_apply``.

Nothing is stored before the submit: the draft lives in the clerk's browser (no personal data or image
sits in the session table).  The check-answers view and the submit name every missing item at once,
from the same rules the intake refuses with (``desk.checklist.draft_problems``).
"""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sscard.archive.photo import photo_problems
from sscard.core.errors import DomainError
from sscard.desk.applications import card_apply
from sscard.desk.checklist import checklist_for, draft_problems
from sscard.desk.queue import queue_link_business
from sscard.policy.choices import ApplicantRole, Business, Channel
from sscard.web.access import page
from sscard.web.drafts import AGENT_DOC_TYPES, APPLICANT_DOC_TYPES, Draft, image_slots
from sscard.web.vocabulary import label, window_roles


class ApplyDraft(Draft):
    """The application form: the applicant in full (a new person), the agent by document and name."""

    def __init__(self, post, files):
        super().__init__(post, files, roles=window_roles(Business.APPLY))
        self.applicant = self.person("applicant", APPLICANT_DOC_TYPES)
        p = post
        self.applicant.gender = p.get("applicant_gender", "") if p.get("applicant_gender", "") in ("M", "F") else ""
        self.applicant.ethnicity = self.text("applicant_ethnicity", 20)
        self.applicant.phone = self.text("applicant_phone", 20)
        self.applicant.address = self.text("applicant_address", 200)
        if not self.applicant.phone:
            self.errors["applicant_phone"] = _("请输入联系电话")
        if not self.applicant.address:
            self.errors["applicant_address"] = _("请输入居住地址")
        self.agent = self.person("agent", AGENT_DOC_TYPES) if self.by_agent else None


def _checklist(request, role: str):
    return checklist_for(business=Business.APPLY, channel=Channel.WINDOW, role=role, outlet=request.staff.outlet)


def _form_context(request, draft: ApplyDraft | None = None, **extra) -> dict:
    role = draft.role if draft else request.GET.get("role", ApplicantRole.SELF)
    if role not in dict(window_roles(Business.APPLY)):
        role = ApplicantRole.SELF
    return {"title": label(Business, Business.APPLY), "business": Business.APPLY, "roles": window_roles(Business.APPLY), "role": role,
            "checklist": _checklist(request, role), "applicant_doc_types": APPLICANT_DOC_TYPES,
            "agent_doc_types": AGENT_DOC_TYPES, "image_slots": image_slots(draft.post if draft else None), "post": draft.post if draft else {},
            **extra}


@page("card.apply")
def apply_form(request):
    return render(request, "web/window/apply.html", _form_context(request))


def _problems(request, draft: ApplyDraft) -> list[dict]:
    checklist = _checklist(request, draft.role)
    problems = draft.input_problems()
    problems += draft_problems(checklist, applicant_doc=draft.applicant.doc_type,
                               agent_doc=draft.agent.doc_type if draft.agent else None, evidence=draft.evidence())
    if draft.photo is not None:
        problems += [{"field": "photo", "message": _("照片：%(problem)s") % {"problem": p.message}}
                     for p in photo_problems(draft.photo)]
    return problems


@page("card.apply")
@require_POST
def apply_review(request):
    """核对信息: the draft as rows with a 修改 link each, and everything still missing (nothing saved)."""
    draft = ApplyDraft(request.POST, request.FILES)
    problems = _problems(request, draft)
    return render(request, "web/window/partials/apply_review.html",
                  {"draft": draft, "problems": problems, "checklist": _checklist(request, draft.role),
                   "role_label": label(ApplicantRole, draft.role)})


@page("card.apply")
@require_POST
def photo_check(request):
    """The photo rule on the captured or uploaded photo, before the clerk moves on (htmx partial)."""
    draft = Draft(request.POST, request.FILES, roles=[(ApplicantRole.SELF, "")])
    photo = draft.photo
    problems = [draft.errors["photo"]] if "photo" in draft.errors else []
    if photo is None and not problems:
        problems = [_("请先拍摄或上传照片")]
    elif photo is not None:
        problems = [p.message for p in photo_problems(photo)]
    return render(request, "web/window/partials/photo_check.html", {"problems": problems})


@page("card.apply")
@require_POST
def apply_submit(request):
    draft = ApplyDraft(request.POST, request.FILES)
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
    queue_link_business(actor=request.actor, request_no=req.request_no)
    return redirect("web:window_request", no=req.request_no)
