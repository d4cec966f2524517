"""Who is calling: bearer tokens (kiosk devices, the app, staff clients) or a staff session (pages).

Each returns an ``Actor``; the channel follows from it.  ``require`` checks the caller's kind and role
in one place so every endpoint states its access rule in one line.
"""

from django.db.models import Q
from ninja.security import APIKeyCookie, HttpBearer

from sscard.core import clock
from sscard.core.errors import Forbidden
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, StaffMember


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        now = clock.now()
        row = (
            ApiToken.objects.select_related("staff", "kiosk", "citizen")
            .filter(token_hash=ApiToken.hash_token(token), revoked=False)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .first()
        )
        if row is None:
            return None
        if row.kind == ApiToken.Kind.STAFF and row.staff.user.is_active:
            return Actor.for_staff(row.staff)
        if row.kind == ApiToken.Kind.KIOSK and row.kiosk.is_active:
            return Actor.for_kiosk(row.kiosk)
        if row.kind == ApiToken.Kind.CITIZEN and row.citizen.is_active:
            return Actor.for_citizen(row.citizen)
        return None


class StaffSessionAuth(APIKeyCookie):
    """Django session of a logged-in staff member (pages call the API with it; CSRF is checked)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        staff = StaffMember.objects.filter(user=user).first()
        return Actor.for_staff(staff) if staff else None


AUTH = [TokenAuth(), StaffSessionAuth()]


def require(actor: Actor, *, kinds=(), roles=()) -> Actor:
    """Allow the caller when its kind is in ``kinds`` or its staff role is in ``roles``."""
    if actor.kind in kinds or (actor.kind == "staff" and actor.role in roles):
        return actor
    raise Forbidden("ACCESS_DENIED", "当前用户无权办理此业务")


# The callers who act on a business channel: window clerks, kiosks, app users, hotline operators.
CHANNEL_ACTORS = {"kinds": ("kiosk", "citizen"), "roles": ("clerk", "hotline")}
