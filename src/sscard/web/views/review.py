"""审核: the reviewers' queue of app applications and the case page (images beside the data).

Opening a waiting case claims it (``desk.claims.request_review_claim``); while another reviewer holds it
the page answers 409 naming the holder, and a supervisor may release or reassign it there.  The full
data and each image come from the audited review services; the queue is masked (``desk.selectors``).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sscard.core.errors import Conflict, InvalidInput
from sscard.desk.choices import ReviewItem, ReviewTab
from sscard.desk.claims import (
    request_review_claim,
    request_review_reassign,
    request_review_release,
    review_assignees,
)
from sscard.desk.review import (
    review_applicant_full_view,
    review_image,
    review_image_items,
)
from sscard.desk.selectors import (
    review_case,
    review_cases,
    review_groups,
    review_tab_counts,
)
from sscard.desk.services import request_approve, request_reject
from sscard.people.models import Person
from sscard.policy.choices import DocType
from sscard.staff.permissions import allowed
from sscard.web.access import page
from sscard.web.vocabulary import label, text

REJECT_FIELDS = {"REJECT_REASON_REQUIRED": "reason", "REJECT_ITEM_INVALID": "item"}


def _queue_url(tab: str = ReviewTab.PENDING) -> str:
    return f"{reverse('web:review_queue')}?{urlencode({'tab': tab})}"


@page("request.review_queue")
def queue(request):
    tab = request.GET.get("tab", ReviewTab.PENDING)
    tab = tab if tab in ReviewTab.values else ReviewTab.PENDING
    rows = review_cases(actor=request.actor, tab=tab)
    counts = review_tab_counts()
    tabs = [{"value": t.value, "label": label(ReviewTab, t), "count": counts[t.value],
             "url": _queue_url(t.value), "current": t.value == tab} for t in ReviewTab]
    return render(request, "web/review/queue.html", {
        "title": _("网上申领审核 · %(tab)s") % {"tab": label(ReviewTab, tab)},
        "tab": tab, "tabs": tabs, "rows": rows,
        "groups": review_groups(rows) if tab == ReviewTab.PENDING else None,
    })


def _data_rows(full: dict) -> list[dict]:
    """The full data as rows of the case page, each with the review item a refusal of it names."""
    def party_rows(p, prefix, name_label, doc_label):
        return [
            {"label": name_label, "value": p["name"], "item": f"{prefix}_name"},
            {"label": doc_label, "value": f"{label(DocType, p['id_type'])} {p['id_number']}",
             "item": f"{prefix}_id_number"},
        ]

    applicant = full["applicant"]
    gender = label(Person.Gender, applicant["gender"]) if applicant["gender"] in Person.Gender.values else "—"
    rows = party_rows(applicant, "applicant", _("申办人姓名"), _("申办人证件")) + [
        {"label": _("出生日期"), "value": _("%(date)s（%(gender)s）") % {
            "date": f"{applicant['birth_date']:%Y-%m-%d}", "gender": gender}, "item": "applicant_birth_date"},
        {"label": _("联系电话"), "value": applicant["phone"] or "—", "item": "applicant_phone"},
        {"label": _("居住地址"), "value": applicant["address"] or "—", "item": "applicant_address"},
    ]
    if full.get("agent"):
        rows += party_rows(full["agent"], "agent", _("代办人姓名"), _("代办人证件"))
    return [r for r in rows if r["item"] in ReviewItem.values]


def _case_page(request, no: str, *, errors=None, form=None, status=200):
    summary = review_case(actor=request.actor, request_no=no)
    context = {"case": summary, "title": _("审核 %(no)s") % {"no": summary["request_no"]},
               "errors": errors or {},
               "form": form or {"item": request.GET.get("item", ""), "reason": "", "note": ""},
               "items": [(v, label(ReviewItem, v)) for v in ReviewItem.values]}
    if summary["pending"]:
        try:
            request_review_claim(actor=request.actor, request_no=no)
        except Conflict as exc:
            if exc.code != "REVIEW_CLAIMED_BY_OTHER":
                raise
            return _claimed_page(request, summary, exc)
        context["case"] = review_case(actor=request.actor, request_no=no)
        full = review_applicant_full_view(actor=request.actor, request_no=no)
        context["rows"] = _data_rows(full)
        context["images"] = review_image_items(full["images"])
    return render(request, "web/review/case.html", context, status=status)


def _claimed_page(request, summary: dict, exc: Conflict):
    """409: another reviewer holds the case; a supervisor may release or reassign it from here."""
    can_reassign = allowed(request.actor, "request.review_reassign")
    return render(request, "web/review/claimed.html", {
        "case": summary, "error": exc, "title": _("案件审核中"), "can_reassign": can_reassign,
        "assignees": review_assignees() if can_reassign else [],
    }, status=exc.status)


@page("request.review_detail")
def case(request, no: str):
    return _case_page(request, no)


@page("request.review_image")
def image(request, no: str, item_id: int):
    content, content_type = review_image(actor=request.actor, request_no=no, item_id=item_id)
    return HttpResponse(content, content_type=content_type,
                        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@page("request.approve")
@require_POST
def approve(request, no: str):
    req = request_approve(actor=request.actor, request_no=no, note=request.POST.get("note", "")[:200])
    messages.success(request, _("业务 %(no)s 已审核通过，已转入集中制卡。") % {"no": req.request_no})
    return redirect(_queue_url())


@page("request.reject")
@require_POST
def reject(request, no: str):
    form = {"item": request.POST.get("item", "")[:40], "reason": request.POST.get("reason", "")[:200], "note": ""}
    try:
        req = request_reject(actor=request.actor, request_no=no, reason=form["reason"], item=form["item"])
    except InvalidInput as exc:
        problems = exc.details.get("missing") or [{"code": exc.code, "message": exc.message}]
        found = {REJECT_FIELDS.get(p["code"], "__all__"): p["message"] for p in problems}
        errors = {k: found[k] for k in ("__all__", "item", "reason") if k in found}  # in the form's order
        return _case_page(request, no, errors=errors, form=form, status=exc.status)
    messages.success(request, _("业务 %(no)s 审核不通过（%(item)s），已退回申请人。") % {
        "no": req.request_no, "item": text(req.rejection["item_label"], "ReviewItem")})
    return redirect(_queue_url())


@page("request.review_reassign")
@require_POST
def release(request, no: str):
    req = request_review_release(actor=request.actor, request_no=no)
    messages.success(request, _("业务 %(no)s 已释放，其他审核员可以领取。") % {"no": req.request_no})
    return redirect(_queue_url())


@page("request.review_reassign")
@require_POST
def reassign(request, no: str):
    req = request_review_reassign(actor=request.actor, request_no=no, to_staff_id=request.POST.get("to_staff", ""))
    messages.success(request, _("业务 %(no)s 已改派给 %(name)s。") % {
        "no": req.request_no, "name": req.review_claimed_by.display_name})
    return redirect(_queue_url())
