"""The citizen pages of the app (mobile-first): the task list, the status of the person's card and
businesses, the loss report and its withdrawal (check answers, then a confirmation with the business
number and what happens next).  Each calls the desk service the API's route calls."""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sscard.cards.choices import LIVE_STATES
from sscard.cards.models import Card
from sscard.core import masking
from sscard.desk.choices import RequestStatus
from sscard.desk.lifecycle import card_loss_report, card_loss_withdraw
from sscard.desk.rules import PRODUCTION_BUSINESSES
from sscard.desk.selectors import request_for_actor, requests_of_citizen
from sscard.desk.status import card_status_query
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business
from sscard.web.app_tasks import offered, steps_of, tasks_for
from sscard.web.public_access import app_render, citizen_page

# What happens next, on the confirmation page of each business.
NEXT_STEPS = {
    Business.LOSS_REPORT: (
        gettext_lazy("您的社保卡已正式挂失，卡片的金融和社保功能已暂停，他人无法使用。"),
        gettext_lazy("找回卡片后，可在本APP、自助一体机或服务窗口办理解挂。"),
        gettext_lazy("如卡片确实丢失，可办理补领新卡。"),
    ),
    Business.LOSS_WITHDRAW: (
        gettext_lazy("您的社保卡已解除挂失，恢复到挂失前的状态，可以正常使用。"),
    ),
    Business.APPLY: (
        gettext_lazy("工作人员将审核您的照片和身份证照片，审核结果会以短信通知您。"),
        gettext_lazy("审核通过后开始制卡，预计办结日期见办理进度。"),
        gettext_lazy("邮寄的卡片寄出后可在办理进度中查看邮寄单号；网点领取时请带上本人身份证原件。"),
    ),
}
JOURNEYS = {
    Business.LOSS_REPORT: {"service": card_loss_report, "operation": "card.loss_report",
                           "title": gettext_lazy("挂失社保卡"), "button": gettext_lazy("确认挂失"),
                           "url": "web:app_loss_report"},
    Business.LOSS_WITHDRAW: {"service": card_loss_withdraw, "operation": "card.loss_withdraw",
                             "title": gettext_lazy("解除挂失"), "button": gettext_lazy("确认解挂"),
                             "url": "web:app_loss_withdraw"},
}


def _card_in_use(actor) -> Card | None:
    return Card.objects.filter(person_id=actor.person_id, state__in=list(LIVE_STATES)).order_by("-id").first()


def card_in_use_state(actor) -> str | None:
    card = _card_in_use(actor)
    return card.state if card else None


@citizen_page("request.mine")
@require_GET
def root(request):
    return redirect("web:app_tasks")


@citizen_page("request.mine")
@require_GET
def tasks(request):
    card = _card_in_use(request.actor)
    state = card.state if card else None
    return app_render(request, "web/app/tasks.html", {
        "title": _("我的社保卡"), "card": card, "card_no": masking.mask_card_no(card.card_no) if card else "",
        "tasks": tasks_for(state)})


@citizen_page("card.status_query")
@require_GET
def status(request):
    actor = request.actor
    found = card_status_query(actor=actor, applicant=None)
    cards = [{**c, "card_no": masking.mask_card_no(c["card_no"])} for c in found["cards"]]
    days = policy_setting("app_production_working_days")  # the due date is set once production starts
    businesses = [{
        "request": r,
        "steps": steps_of(r.status, production=r.business in PRODUCTION_BUSINESSES),
        "due_days": days if (r.due_at is None and r.business in PRODUCTION_BUSINESSES
                             and r.status == RequestStatus.PENDING_REVIEW) else None,
    } for r in requests_of_citizen(actor, limit=20)]
    return app_render(request, "web/app/status.html", {"title": _("办理进度"), "cards": cards,
                                                    "businesses": businesses})


def _journey(request, business: str):
    """Check answers (GET) and submit (POST): the app's loss report and withdrawal ask no question (the
    app's real-name account is the identity, ``evidence = "account"``), so the journey is one check page."""
    journey = JOURNEYS[business]
    card = _card_in_use(request.actor)
    if request.method == "GET":
        if not offered(business, card.state if card else None):
            return redirect("web:app_tasks")  # a stale link: the task list shows what can be done now
        return app_render(request, "web/app/check.html", {
            "title": journey["title"], "journey": journey, "business": business, "card": card,
            "card_no": masking.mask_card_no(card.card_no), "action": reverse(journey["url"])})
    it = journey["service"](actor=request.actor, applicant=None)
    return redirect("web:app_done", no=it.request.request_no)


@citizen_page("card.loss_report")
@require_http_methods(["GET", "POST"])
def loss_report(request):
    return _journey(request, Business.LOSS_REPORT)


@citizen_page("card.loss_withdraw")
@require_http_methods(["GET", "POST"])
def loss_withdraw(request):
    return _journey(request, Business.LOSS_WITHDRAW)


@citizen_page("request.view")
@require_GET
def done(request, no: str):
    req = request_for_actor(request.actor, no)  # NOT_FOUND unless it is the account holder's own
    card = req.card
    return app_render(request, "web/app/done.html", {
        "title": _("办理成功"), "req": req, "card_no": masking.mask_card_no(card.card_no) if card else "",
        "card": card, "next_steps": [str(s) for s in NEXT_STEPS.get(req.business, ())]})
