"""Every other business a window handles, on one page shape: who (the role), the holder's document (read
from the ID card or typed), the agent, the evidence the checklist asks for here, check answers, submit.

One table (``PAGES``) says, per business, the operation of the access table, the service to call and the
extra fields it takes (a reason, a new photo, the changed details, the PIN pad).  The services decide
everything else.
"""

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sscard.archive.photo import photo_problems
from sscard.cards.selectors import card_out
from sscard.core.errors import DomainError
from sscard.desk import applications, info_change, lifecycle, pin
from sscard.desk.checklist import checklist_for, draft_problems
from sscard.desk.queue import queue_link_business
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business, CardReason, Channel
from sscard.staff.permissions import require
from sscard.web.access import page
from sscard.web.drafts import AGENT_DOC_TYPES, HOLDER_DOC_TYPES, Draft, image_slots
from sscard.web.views.window import SESSION_PERSON
from sscard.web.vocabulary import PERSON_FIELDS, label, window_roles


@dataclass(frozen=True)
class BusinessPage:
    operation: str
    hint: str
    reason: bool = False  # a reason from the catalogue's list (reissue family)
    changes: bool = False  # information change: the changeable details
    pin_pad: bool = False  # the holder types on the window's PIN pad
    agent_as_person: bool = False  # the service takes the agent as PersonData (document and name)


PAGES: dict[str, BusinessPage] = {
    Business.ACTIVATE: BusinessPage("card.activate", _("已领取的社保卡启用后方可使用。"),
                                    agent_as_person=True),
    Business.REISSUE: BusinessPage("card.reissue", _("社保卡丢失后补领新卡，原卡同时注销。"), reason=True,
                                   agent_as_person=True),
    Business.REPLACE: BusinessPage("card.replace", _("社保卡损坏、质量问题或信息变更时换领新卡。"),
                                   reason=True, agent_as_person=True),
    Business.RENEW: BusinessPage("card.renew", _("社保卡到期换发新卡。"), reason=True, agent_as_person=True),
    Business.INFO_CHANGE: BusinessPage("card.info_change", _("变更联系电话、居住地址等非关键信息。"),
                                       changes=True),
    Business.PIN_CHANGE: BusinessPage("card.pin_change",
                                      _("持卡人在密码键盘上先输入原密码，再两次输入新密码。"), pin_pad=True),
    Business.PIN_RESET: BusinessPage("card.pin_reset", _("核验身份后，持卡人在密码键盘上两次输入新密码。"),
                                     pin_pad=True),
    Business.LOSS_REPORT: BusinessPage("card.loss_report", _("挂失后社保卡的金融和社保功能暂停使用。")),
    Business.LOSS_WITHDRAW: BusinessPage("card.loss_withdraw", _("找回社保卡后解除挂失，卡片恢复使用。")),
    Business.UNLOCK: BusinessPage("card.unlock", _("密码多次输错被锁定的社保卡，核验身份后解锁。")),
    Business.STATUS_QUERY: BusinessPage("card.status_query", _("查询社保卡的应用状态及在办业务。")),
    Business.CANCEL: BusinessPage("card.cancel", _("注销后社保卡不能再使用，须重新申领。")),
    Business.ROLLBACK: BusinessPage("card.rollback", _("撤销最近一次注销、挂失或解挂等操作。")),
}


def _spec(business: str) -> BusinessPage:
    if business not in PAGES:
        raise Http404(_("没有这项窗口业务"))
    return PAGES[business]


def _checklist(request, business: str, role: str):
    return checklist_for(business=business, channel=Channel.WINDOW, role=role, outlet=request.staff.outlet)


class BusinessDraft(Draft):
    def __init__(self, business: str, post, files):
        super().__init__(post, files, roles=window_roles(business))
        spec = PAGES[business]
        self.business, self.spec = business, spec
        self.applicant = self.doc("applicant", HOLDER_DOC_TYPES)
        self.agent = None
        if self.by_agent:
            self.agent = self.person("agent", AGENT_DOC_TYPES) if spec.agent_as_person else self.doc(
                "agent", AGENT_DOC_TYPES)
        self.reason = post.get("reason", "")
        if spec.reason and self.reason not in get_catalogue().business(business).reasons:
            self.errors["reason"] = _("请选择补换原因")
        self.photo_changed = spec.reason and post.get("photo_changed") == "1"
        self.changes = {}
        if spec.changes:
            for field in get_catalogue().business(business).changeable_fields:
                value = self.text(f"change_{field}", 200)
                if value:
                    self.changes[field] = value
            if not self.changes:
                self.errors["changes"] = _("请填写要变更的信息")

    def problems(self, checklist) -> list[dict]:
        out = self.input_problems()
        out += draft_problems(checklist, applicant_doc=self.applicant.doc_type,
                              agent_doc=self.agent.doc_type if self.agent else None,
                              evidence=self.evidence(photo=self.photo_changed), photo_changed=self.photo_changed)
        if self.photo_changed and self.photo is not None:
            out += [{"field": "photo", "message": _("照片：%(problem)s") % {"problem": p.message}}
                    for p in photo_problems(self.photo)]
        return out


def _context(request, business: str, draft: BusinessDraft | None = None, **extra) -> dict:
    roles = window_roles(business)
    role = draft.role if draft else request.GET.get("role", roles[0][0] if roles else "")
    if role not in dict(roles):
        role = roles[0][0]
    spec_cat = get_catalogue().business(business)
    business_label = label(Business, business)
    return {"title": business_label, "business": business, "business_label": business_label,
            "spec": _spec(business), "roles": roles, "role": role, "checklist": _checklist(request, business, role),
            "holder_doc_types": HOLDER_DOC_TYPES, "agent_doc_types": AGENT_DOC_TYPES,
            "image_slots": image_slots(draft.post if draft else None),
            "reasons": [(r, label(CardReason, r)) for r in spec_cat.reasons],
            "changeable": [(f, PERSON_FIELDS.get(f, f)) for f in spec_cat.changeable_fields],
            "post": draft.post if draft else {}, "photo_step": "", "images_step": "", "signature_step": "",
            **extra}


@page("page.window")
def business_form(request, business: str):
    spec = _spec(business)
    require(request.actor, spec.operation)
    return render(request, "web/window/business.html", _context(request, business))


@page("page.window")
@require_POST
def business_review(request, business: str):
    spec = _spec(business)
    require(request.actor, spec.operation)
    draft = BusinessDraft(business, request.POST, request.FILES)
    checklist = _checklist(request, business, draft.role)
    return render(request, "web/window/partials/business_review.html",
                  {"draft": draft, "problems": draft.problems(checklist), "checklist": checklist,
                   "business_label": label(Business, business)})


def _call(actor, draft: BusinessDraft):
    """The business's service, with the draft's parts: (kind, result)."""
    b, parts = draft.business, {"actor": actor, "applicant": draft.applicant, "agent": draft.agent}
    evidence = draft.evidence(photo=draft.photo_changed)
    if b in (Business.REISSUE, Business.REPLACE, Business.RENEW):
        return "request", applications.card_reissue(business=b, reason=draft.reason, photo_changed=draft.photo_changed,
                                                    evidence=evidence, **parts)
    if b == Business.ACTIVATE:
        return "request", applications.card_activate(evidence=evidence, **parts)
    if b == Business.STATUS_QUERY:
        it, status = lifecycle.card_status_query(**parts)
        return "status", (it, status)
    if b in (Business.PIN_CHANGE, Business.PIN_RESET):
        service = pin.pin_change if b == Business.PIN_CHANGE else pin.pin_reset
        return "pin", service(evidence=evidence, **parts)
    if b == Business.INFO_CHANGE:
        return "intake", info_change.person_info_change(changes=draft.changes, evidence=evidence, **parts)
    service = {Business.LOSS_REPORT: lifecycle.card_loss_report, Business.LOSS_WITHDRAW: lifecycle.card_loss_withdraw,
               Business.UNLOCK: lifecycle.card_unlock, Business.CANCEL: lifecycle.card_cancel,
               Business.ROLLBACK: lifecycle.card_rollback}[b]
    return "intake", service(evidence=evidence, **parts)


def _request_no(kind: str, result) -> str:
    if kind == "request":
        return result.request_no
    record = result[0].request if kind == "status" else result.request
    return record.request_no if record else ""


@page("page.window")
@require_POST
def business_submit(request, business: str):
    spec = _spec(business)
    require(request.actor, spec.operation)
    draft = BusinessDraft(business, request.POST, request.FILES)
    problems = draft.problems(_checklist(request, business, draft.role))
    if problems:
        return render(request, "web/window/business.html", _context(
            request, business, draft, errors={p.get("field") or p.get("code"): p["message"] for p in problems}),
            status=400)
    try:
        kind, result = _call(request.actor, draft)
    except DomainError as exc:
        missing = exc.details.get("missing") or [{"code": exc.code, "message": exc.message}]
        return render(request, "web/window/business.html", _context(
            request, business, draft, errors={m["code"]: m["message"] for m in missing}), status=exc.status)
    request_no = _request_no(kind, result)
    if request_no:
        queue_link_business(actor=request.actor, request_no=request_no)
    if kind == "request":
        request.session[SESSION_PERSON] = result.applicant_id
        return redirect("web:window_request", no=result.request_no)
    if kind == "intake":
        request.session[SESSION_PERSON] = result.applicant.pk
        return redirect("web:window_request", no=result.request.request_no)
    context = _context(request, business, draft, kind=kind)
    if kind == "status":
        it, status = result
        request.session[SESSION_PERSON] = it.applicant.pk
        context.update(status=status, request_no=it.request.request_no if it.request else "")
    else:
        outcome = result
        context.update(outcome=outcome, card=card_out(outcome.card),
                       request_no=outcome.request.request_no if outcome.request else "")
    return render(request, "web/window/business_result.html", context,
                  status=200 if kind == "status" or result.ok else result.error.status)
