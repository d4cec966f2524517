"""Signing in and out with a Django session, the idle-timeout keepalive, and the start page."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sscard.core.errors import DomainError
from sscard.staff.actors import Actor
from sscard.staff.services import (
    staff_authenticate,
    staff_session_closed,
    staff_session_opened,
)
from sscard.web.access import actor_of, page, public_page, safe_next
from sscard.web.menu import areas_for, menu_for

SIGNED_OUT_NOTICES = {
    "idle": gettext_lazy("您已长时间未操作，为保护群众信息已自动退出，请重新登录。"),
    "user": gettext_lazy("您已退出登录。"),
}


@public_page("auth.staff_sign_in")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET" and actor_of(request):
        return redirect(next_url)
    context = {"next": next_url, "username": "", "errors": {},
               "notice": SIGNED_OUT_NOTICES.get(request.GET.get("signed_out", ""))}
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        password = request.POST.get("password", "")[:256]
        context["username"] = username
        if not username:
            context["errors"]["username"] = _("请输入用户名")
        if not password:
            context["errors"]["password"] = _("请输入密码")
        if not context["errors"]:
            try:
                staff = staff_authenticate(request=request, username=username, password=password,
                                           path="session")
            except DomainError as exc:
                context["errors"]["password"] = exc.message
                status = 429 if exc.status == 429 else 400  # locked: 429, as the API answers
                return render(request, "web/sign_in.html", context, status=status)
            else:
                login(request, staff.user)
                staff_session_opened(actor=Actor.for_staff(staff), session_key=request.session.session_key)
                return redirect(next_url)
        return render(request, "web/sign_in.html", context, status=400)
    return render(request, "web/sign_in.html", context)


@public_page("auth.staff_sign_out")
@require_POST
def sign_out(request):
    """Open without a session too: a sign-out that arrives after the session ended still lands on the
    sign-in page with its notice."""
    reason = "idle" if request.POST.get("reason") == "idle" else "user"
    actor = actor_of(request)
    if actor is not None:
        staff_session_closed(actor=actor, reason=reason, session_key=request.session.session_key)
    logout(request)
    return redirect(f"{settings.LOGIN_URL}?signed_out={reason}")


@page("auth.session_keepalive")
@require_POST
def keepalive(request):
    """继续: the session is saved on every request, so answering is enough to restart its idle clock."""
    request.session["keepalive"] = request.session.get("keepalive", 0) + 1
    return HttpResponse(status=204)


@page("page.start")
def start(request):
    areas = areas_for(request.actor)
    if len(areas) == 1:
        return redirect(areas[0].url_name)
    return render(request, "web/start.html", {"menu": menu_for(request.actor), "title": _("工作台首页")})
