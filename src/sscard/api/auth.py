"""Who is calling: bearer tokens (kiosk devices, the app, staff clients) or a staff session (pages).

Each returns an ``Actor``; the channel follows from it.  ``@operation("<name>")`` names a route's entry
in the access table (``sscard.staff.permissions``) and checks it, so every endpoint states its access rule
in one line.  The check runs as soon as the caller is known, inside authentication, before ninja parses
the body: a caller who may not do the operation is refused (403) whatever the body holds, and no body of
theirs is read.
"""

import functools

from django.db.models import Q
from ninja.decorators import decorate_view
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import contribute_operation_callback

from sscard.core import clock
from sscard.staff import permissions, tokens
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, StaffMember


class OperationFirst:
    """Mixed into each way of signing in: once it has found the caller, the route's operation (set on the
    request by ``@operation``) is checked in the access table, before the body is parsed."""

    def __call__(self, request):
        actor = super().__call__(request)
        name = getattr(request, "sscard_operation", None)
        if actor and name:
            permissions.require(actor, name)  # Forbidden: ninja answers it through api.root's handler
        return actor


class TokenAuth(OperationFirst, HttpBearer):
    """A bearer token: live (``sscard.staff.tokens.token_is_live``: not revoked, within its lifetime and,
    for staff and app tokens, its idle timeout) and held by an active holder.  Its use is recorded at most
    once a minute.  The token's row is kept on ``request.api_token`` (sign-out revokes it)."""

    def authenticate(self, request, token):
        now = clock.now()
        row = (
            # one statement: the token, its holder, the staff member's user and outlet (the business reads it)
            ApiToken.objects.select_related("staff__user", "staff__outlet", "kiosk__outlet", "citizen")
            .filter(token_hash=ApiToken.hash_token(token), revoked=False)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if row is None or not tokens.token_is_live(row, now):
            return None
        actor = None
        if row.kind == ApiToken.Kind.STAFF and row.staff.user.is_active:
            actor = Actor.for_staff(row.staff, outlet=row.staff.outlet)
        elif row.kind == ApiToken.Kind.KIOSK and row.kiosk.is_active:
            actor = Actor.for_kiosk(row.kiosk, outlet=row.kiosk.outlet)
        elif row.kind == ApiToken.Kind.CITIZEN and row.citizen.is_active:
            actor = Actor.for_citizen(row.citizen)
        if actor is not None:
            tokens.token_touch(row, now)
            request.api_token = row
        return actor


class StaffSessionAuth(OperationFirst, APIKeyCookie):
    """Django session of a logged-in staff member (pages call the API with it; CSRF is checked)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        staff = StaffMember.objects.filter(user=user).first()
        return Actor.for_staff(staff) if staff else None


AUTH = [TokenAuth(), StaffSessionAuth()]


def operation(name: str):
    """Name the route's operation in the access table and check it before the body is parsed.

    ``@operation("card.loss_report")`` goes under the router decorator; the view reads the caller from
    ``request.auth``.  The name goes on the request before authentication (``OperationFirst`` checks it
    there), on the view (``view.operation``) and in the OpenAPI document (``x-operation``), so a test can walk
    the routes and match them against the table.  The view checks it once more: a route whose
    authentication did not run (none configured) is still held to the table.
    """
    permissions.operation(name)  # an unknown name fails at import

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            permissions.require(getattr(request, "auth", None), name)
            return view(request, *args, **kwargs)

        checked.operation = name
        contribute_operation_callback(checked, functools.partial(_document, name))
        decorate_view(_naming(name))(checked)  # ninja keeps it through the router's copies
        return checked

    return decorate


def _naming(name: str):
    """A decorator of the operation's ``run`` (before authentication): the request carries its operation."""

    def decorate(run):
        @functools.wraps(run)
        def named(request, *args, **kwargs):
            request.sscard_operation = name
            return run(request, *args, **kwargs)

        return named

    return decorate


def _document(name: str, op) -> None:
    op.openapi_extra = {**(op.openapi_extra or {}), "x-operation": name}
