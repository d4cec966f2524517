"""Who is at the page: the staff member of the Django session, as an ``Actor``, checked against the one
access table (``sscard.staff.permissions``) before the view runs.

``@page("request.review_queue")`` names the view's operation (kept on the view as ``view.operation``, so a
test walks the URL resolver and matches every page against the table).  A visitor without a session is
sent to the sign-in page; a signed-in member whose role the table does not list gets a 403 page with the
table's message.  A ``DomainError`` a view lets through becomes a page with its code and Chinese message
(the services' words, in either language of the pages) and its own status (never a 5xx).
"""

import functools

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from sscard.core.errors import DomainError
from sscard.staff import permissions
from sscard.staff.actors import Actor
from sscard.staff.models import StaffMember


def staff_of(request) -> StaffMember | None:
    """The staff record of the signed-in user (cached on the request), or None."""
    if not hasattr(request, "_sscard_staff"):
        user = getattr(request, "user", None)
        staff = None
        if user is not None and user.is_authenticated and user.is_active:
            staff = StaffMember.objects.select_related("user", "outlet").filter(user=user).first()
        request._sscard_staff = staff
    return request._sscard_staff


def actor_of(request) -> Actor | None:
    staff = staff_of(request)
    return Actor.for_staff(staff) if staff else None


def sign_in_url(request) -> str:
    return f"{reverse('web:sign_in')}?{urlencode({'next': request.get_full_path()})}"


def safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse("web:start")


def error_page(request, exc: DomainError, *, template: str = "web/error.html"):
    return render(request, template, {"error": exc, "title": _("无法办理")}, status=exc.status)


def page(name: str):
    """Name the page's operation in the access table; sign-in required, role checked, errors rendered."""
    permissions.operation(name)  # an unknown name fails at import

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            actor = actor_of(request)
            if actor is None:
                if request.headers.get("HX-Request"):
                    response = render(request, "web/partials/signed_out.html", status=401)
                    response["HX-Redirect"] = sign_in_url(request)
                    return response
                return redirect(sign_in_url(request))
            request.actor = actor
            request.staff = staff_of(request)
            try:
                permissions.require(actor, name)
                return view(request, *args, **kwargs)
            except DomainError as exc:
                return error_page(request, exc)

        checked.operation = name
        return checked

    return decorate


def public_page(name: str):
    """A page open without a session (the sign-in page): still named in the table."""
    permissions.operation(name)

    def decorate(view):
        view.operation = name
        return view

    return decorate
