"""Who is at a citizen page (the 重庆人社 APP's web views): the app account of the page session, as an
``Actor.for_citizen``, checked against the one access table (``sscard.staff.permissions``).

The page session is separate from the staff session: it holds only the app account's id and the id of the
token its sign-in issued (``CITIZEN_SESSION_KEY``; never personal data), and no Django user.  So the staff
pages (``web.access.page``, which read ``request.user``) never see a citizen, and a citizen page never
accepts a staff member: a session with a signed-in user is not a citizen session.  The sign-in goes
through ``staff.services.citizen_sign_in`` (lockout, the same answer for an unknown number and a wrong
password); the session then lives as long as its token (``staff.tokens.token_is_live``: revoked on sign-out,
by a new sign-in or when the account is disabled; its lifetime and idle timeout), touched at most once a
minute like the API's.

``@citizen_page("card.loss_report")`` names the view's operation (``view.operation``, walked by
``web/tests/test_access.py``): no live session sends the visitor to the app's sign-in page; a role the table
does not list gets the table's message; a ``DomainError`` becomes a page with its code (never a 5xx).
"""

import functools

from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.staff import permissions
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount
from sscard.staff.tokens import token_is_live, token_touch

CITIZEN_SESSION_KEY = "sscard_citizen"


def citizen_session_open(request, *, account_id: int, token_id: int) -> None:
    """A new page session for the account: the old session's data go (a staff sign-in with them)."""
    request.session.flush()
    rotate_token(request)  # a new CSRF secret with the new session, as Django's login() does
    request.session[CITIZEN_SESSION_KEY] = {"account": int(account_id), "token": int(token_id)}


def citizen_session_token_id(request) -> int | None:
    held = request.session.get(CITIZEN_SESSION_KEY)
    return held.get("token") if isinstance(held, dict) else None


def citizen_of(request) -> Actor | None:
    """The page session's app account as an ``Actor``, or None (no session, token no longer live, account
    disabled, or a staff member signed in on this session)."""
    if hasattr(request, "_sscard_citizen"):
        return request._sscard_citizen
    actor = None
    held = request.session.get(CITIZEN_SESSION_KEY)
    user = getattr(request, "user", None)
    if isinstance(held, dict) and not (user is not None and user.is_authenticated):
        token = (ApiToken.objects.filter(pk=held.get("token"), kind=ApiToken.Kind.CITIZEN,
                                         citizen_id=held.get("account")).first())
        now = clock.now()
        if token is not None and token_is_live(token, now):
            account = CitizenAccount.objects.filter(pk=token.citizen_id, is_active=True).first()
            if account is not None:
                token_touch(token, now)
                actor = Actor.for_citizen(account)
    request._sscard_citizen = actor
    return actor


def app_sign_in_url(request) -> str:
    return f"{reverse('web:app_sign_in')}?{urlencode({'next': request.get_full_path()})}"


def app_safe_next(request, value: str | None) -> str:
    """Where to go after the app's sign-in: a path of the app's pages on this site, else the task list."""
    home = reverse("web:app_tasks")
    if value and value.startswith(reverse("web:app_root")) and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return home


def app_render(request, template: str, context: dict, *, status: int = 200):
    """Render a citizen page: the layout shows the sign-out button when the page session is live."""
    return render(request, template, {**context, "signed_in": citizen_of(request) is not None}, status=status)


def app_error_page(request, exc: DomainError):
    return app_render(request, "web/app/error.html", {"error": exc, "title": _("无法办理")},
                      status=exc.status)


def citizen_page(name: str):
    """Name the citizen page's operation in the access table; a live app session required, checked."""
    permissions.operation(name)  # an unknown name fails at import

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            actor = citizen_of(request)
            if actor is None:
                return redirect(app_sign_in_url(request))
            request.actor = actor
            try:
                permissions.require(actor, name)
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return app_error_page(request, exc)

        checked.operation = name
        return checked

    return decorate
