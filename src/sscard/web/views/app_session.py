"""The citizen pages' sign-in and sign-out (the 重庆人社 APP's web views): ID number + password through
``staff.services.citizen_sign_in`` (lockout and throttling, one answer for an unknown number and a wrong
password), a page session of its own (``web.public_access``)."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sscard.core.errors import DomainError
from sscard.people.idnumbers import canonical_number
from sscard.staff.models import ApiToken
from sscard.staff.services import citizen_sign_in
from sscard.staff.tokens import token_sign_out
from sscard.web.access import public_page
from sscard.web.public_access import (
    app_safe_next,
    citizen_of,
    citizen_session_open,
    citizen_session_token_id,
)

SIGNED_OUT_NOTICES = {"user": gettext_lazy("您已安全退出。")}


@public_page("auth.citizen_sign_in")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = app_safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and citizen_of(request):
        return redirect(next_url)
    context = {"next": next_url, "errors": {}, "title": _("登录"),
               "notice": SIGNED_OUT_NOTICES.get(request.GET.get("signed_out", ""))}
    if request.method == "GET":
        return render(request, "web/app/sign_in.html", context)
    id_number = request.POST.get("id_number", "").strip()[:40]
    password = request.POST.get("password", "")[:200]
    context["id_number"] = id_number  # typed again after a failure on the person's own device (no-store)
    if not id_number:
        context["errors"]["id_number"] = _("请输入身份证号码")
    if not password:
        context["errors"]["password"] = _("请输入密码")
    if not context["errors"]:
        try:
            # a 15-digit legacy number signs in as its 18 digits, as the API's sign-in does
            raw, actor = citizen_sign_in(request=request, id_number=canonical_number(id_number),
                                         password=password, path="session")
        except DomainError as exc:
            context["errors"]["password"] = exc.message
            return render(request, "web/app/sign_in.html", context, status=429 if exc.status == 429 else 400)
        token_id = ApiToken.objects.only("pk").get(token_hash=ApiToken.hash_token(raw)).pk
        citizen_session_open(request, account_id=actor.citizen_id, token_id=token_id)
        return redirect(next_url)
    return render(request, "web/app/sign_in.html", context, status=400)


@public_page("auth.token_sign_out")
@require_POST
def sign_out(request):
    """Revokes the session's token (``API_TOKEN_REVOKED``) and ends the page session; open without a live
    session too, so a late sign-out still lands on the sign-in page."""
    actor = citizen_of(request)
    if actor is not None:
        token_sign_out(actor=actor, token_id=citizen_session_token_id(request))
    request.session.flush()
    return redirect(f"{reverse('web:app_sign_in')}?signed_out=user")
