"""社保卡申领 for self in the app: one question per page (how to receive the card, the address or the
pick-up outlet, the photo, the ID card image), a check-answers page, then ``desk.applications.card_apply``
(the service of the API's ``POST /applications``) and the confirmation.

The draft lives in the browser: each page posts its answer with the earlier ones as hidden fields (the
images base64-encoded), never in the session; each answer is checked when given (the photo by the one
photo rule, ``archive.photo``) and everything again by the service on submit."""

import base64
import binascii

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sscard.archive.photo import photo_problems
from sscard.archive.rules import inspect_image
from sscard.core.errors import InvalidInput
from sscard.desk.applications import DeliveryChoice, card_apply
from sscard.desk.intake import EvidenceInput, PersonData
from sscard.people.models import Person
from sscard.policy.choices import Business
from sscard.staff.models import Outlet
from sscard.web.app_tasks import offered
from sscard.web.public_access import app_render, citizen_page
from sscard.web.views.app_cards import card_in_use_state

STEPS = ("delivery", "where", "photo", "document", "check")
TITLES = {
    "delivery": gettext_lazy("您想怎样领取社保卡？"),
    "where": gettext_lazy("邮寄地址或领卡网点"),
    "photo": gettext_lazy("上传您的证件照"),
    "document": gettext_lazy("上传您的身份证照片"),
    "check": gettext_lazy("核对申领信息"),
}
CARRIED = ("delivery", "address", "outlet", "photo_b64", "document_b64")


def _image(request, field: str, carried: str) -> bytes | None:
    upload = request.FILES.get(field)
    if upload is not None:
        return upload.read()
    try:
        raw = request.POST.get(carried, "")
        return base64.b64decode(raw, validate=True) if raw else None
    except (binascii.Error, ValueError):
        return None


def _answers(request) -> dict:
    return {k: request.POST.get(k, "")[:200] if not k.endswith("_b64") else request.POST.get(k, "")
            for k in CARRIED}


def _outlets():
    return list(Outlet.objects.filter(is_active=True, accepts_pickup=True).order_by("code")
                .only("code", "name"))


def _check(step: str, request, answers: dict) -> str:
    """The posted answer of ``step``, stored into ``answers``; the error of the page ("" when none)."""
    if step == "delivery":
        if answers["delivery"] not in ("post", "pickup"):
            return _("请选择领卡方式")
    elif step == "where":
        if answers["delivery"] == "post" and len(answers["address"].strip()) < 5:
            return _("请填写完整的邮寄地址")
        if answers["delivery"] == "pickup" and answers["outlet"] not in {o.code for o in _outlets()}:
            return _("请选择领卡网点")
    elif step == "photo":
        content = _image(request, "photo", "photo_b64")
        if not content:
            return _("请选择照片文件")
        problems = photo_problems(content)
        if problems:
            return "；".join(p.message for p in problems)
        answers["photo_b64"] = base64.b64encode(content).decode()
    elif step == "document":
        content = _image(request, "document", "document_b64")
        if not content:
            return _("请选择身份证照片文件")
        try:
            inspect_image(content)
        except InvalidInput as exc:
            return exc.message
        answers["document_b64"] = base64.b64encode(content).decode()
    return ""


def _page(request, step: str, answers: dict, *, error: str = "", status: int = 200):
    outlets = _outlets()
    return app_render(request, "web/app/apply.html", {
        "title": TITLES[step], "step": step, "number": STEPS.index(step) + 1, "total": len(STEPS),
        "answers": answers, "error": error, "errors": {step: error} if error else {}, "outlets": outlets,
        "outlet_name": next((o.name for o in outlets if o.code == answers.get("outlet")), ""),
        "back": STEPS[STEPS.index(step) - 1] if step != STEPS[0] else ""}, status=status)


@citizen_page("card.apply")
@require_http_methods(["GET", "POST"])
def apply(request):
    answers = _answers(request)
    if request.method == "GET":
        if not offered(Business.APPLY, card_in_use_state(request.actor)):
            return redirect("web:app_tasks")  # a stale link: the task list shows what can be done now
        return _page(request, STEPS[0], answers)
    step = request.POST.get("step", "")
    if request.POST.get("go") == "back" and step in STEPS[1:]:
        return _page(request, STEPS[STEPS.index(step) - 1], answers)
    if step not in STEPS:
        return _page(request, STEPS[0], answers, error=_("请从第一步开始填写"), status=400)
    if step != "check":
        error = _check(step, request, answers)
        if error:
            return _page(request, step, answers, error=error, status=400)
        return _page(request, STEPS[STEPS.index(step) + 1], answers)
    for earlier in STEPS[:-1]:  # the check page sends all answers: each is checked again
        error = _check(earlier, request, answers)
        if error:
            return _page(request, earlier, answers, error=error, status=400)
    person = Person.objects.get(pk=request.actor.person_id)
    req = card_apply(
        actor=request.actor,
        applicant=PersonData(doc_type=person.id_type, number=person.id_number, name=person.name,
                             birth_date=person.birth_date, gender=person.gender, ethnicity=person.ethnicity,
                             phone=person.phone, address=person.address),
        evidence=EvidenceInput(photo=base64.b64decode(answers["photo_b64"]),
                               uploaded_documents=[base64.b64decode(answers["document_b64"])]),
        delivery=DeliveryChoice(method=answers["delivery"], address=answers["address"],
                                pickup_outlet=answers["outlet"]))
    return redirect("web:app_done", no=req.request_no)
