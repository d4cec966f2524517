"""API tokens: their lifetimes, issue, revoke (sign-out, replacement, rotation) and checking one.

Lifetimes (settings): a staff or app token ends ``SSCARD_TOKEN_IDLE_MINUTES`` after its last use and
``SSCARD_TOKEN_LIFETIME_HOURS`` after it was issued at the latest; a kiosk token ``SSCARD_KIOSK_TOKEN_DAYS``
after it was issued (a kiosk stands idle every night, so it has no idle timeout), and is renewed with
``rotate_kiosk_token``.  The last use is written at most once a minute (``TOUCH_EVERY``), so the idle
timeout costs no write per request.

One live token per staff member and per app account: a new sign-in revokes the holder's earlier tokens of
the same kind (reason ``replaced``).  A clerk works at one window and a citizen's app on one phone; a token
left on another machine, or taken from it, dies with the next sign-in instead of living out its 12 hours,
and the number of live tokens stays bounded by the number of people.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import Refused
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, KioskDevice

TOUCH_EVERY = dt.timedelta(minutes=1)


def idle_timeout() -> dt.timedelta:
    return dt.timedelta(minutes=settings.SSCARD_TOKEN_IDLE_MINUTES)


def lifetime(kind: str) -> dt.timedelta:
    if kind == ApiToken.Kind.KIOSK:
        return dt.timedelta(days=settings.SSCARD_KIOSK_TOKEN_DAYS)
    return dt.timedelta(hours=settings.SSCARD_TOKEN_LIFETIME_HOURS)


def expires_at(row: ApiToken) -> dt.datetime:
    """The absolute end of a token: its ``expires_at`` (set at issue, never past its kind's lifetime), or
    for a row without one (made before lifetimes existed) its kind's lifetime after it was issued."""
    return row.expires_at or row.created_at + lifetime(row.kind)


def token_is_live(row: ApiToken, now: dt.datetime) -> bool:
    """Not revoked, not past its absolute end, and (staff and app tokens) used within the idle timeout."""
    if row.revoked or now >= expires_at(row):
        return False
    if row.kind != ApiToken.Kind.KIOSK and now - (row.last_used_at or row.created_at) >= idle_timeout():
        return False
    return True


def token_touch(row: ApiToken, now: dt.datetime) -> None:
    """Record a use, at most once a minute (one UPDATE by primary key, no lock)."""
    if now - (row.last_used_at or row.created_at) >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now


def _live(query):
    return query.filter(revoked=False).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now()))


def tokens_revoke(query, *, reason: str) -> int:
    """Revoke the live tokens of ``query`` (inside the caller's transaction); the number revoked."""
    return _live(query).update(revoked=True, revoked_at=clock.now(), revoked_reason=reason)


def token_issue(*, kind: str, replace: bool, valid_for: dt.timedelta | None = None,
                **holder) -> tuple[str, ApiToken]:
    """A new token for ``holder`` (``staff=``, ``citizen=`` or ``kiosk=``), inside the caller's transaction;
    ``replace`` revokes the holder's earlier tokens of the kind first."""
    if replace:
        tokens_revoke(ApiToken.objects.filter(kind=kind, **holder), reason="replaced")
    raw = ApiToken.new_raw_token()
    now = clock.now()
    row = ApiToken.objects.create(token_hash=ApiToken.hash_token(raw), kind=kind, created_at=now,
                                  expires_at=now + min(valid_for or lifetime(kind), lifetime(kind)), **holder)
    return raw, row


def token_sign_out(*, actor: Actor, token_id: int | None, everywhere: bool = False) -> int:
    """Sign out the caller: revoke the token it called with, ``token_id`` (``everywhere``: every live token
    it holds).

    Writes ``API_TOKEN_REVOKED`` (reason ``sign_out``) with the number revoked; returns it."""
    holder = _holder_filter(actor)
    with transaction.atomic():
        query = ApiToken.objects.filter(**holder)
        if not everywhere:
            query = query.filter(pk=token_id)
        count = tokens_revoke(query, reason="sign_out")
        audit_record(event_type=AuditEventType.API_TOKEN_REVOKED, actor=actor, subject_type=actor.kind,
                     subject_id=actor.staff_id or actor.citizen_id or actor.kiosk_id,
                     person_id=actor.person_id,
                     data={"reason": "sign_out", "everywhere": everywhere, "count": count})
    return count


def _holder_filter(actor: Actor) -> dict:
    if actor.kind == "staff":
        return {"kind": ApiToken.Kind.STAFF, "staff_id": actor.staff_id}
    if actor.kind == "citizen":
        return {"kind": ApiToken.Kind.CITIZEN, "citizen_id": actor.citizen_id}
    if actor.kind == "kiosk":
        return {"kind": ApiToken.Kind.KIOSK, "kiosk_id": actor.kiosk_id}
    raise ValueError(f"no tokens for an actor of kind {actor.kind!r}")


def kiosk_token_issue(*, actor: Actor, kiosk: KioskDevice, lifetime: dt.timedelta | None = None) -> str:
    """Provision a device token (operator command), valid for ``lifetime`` (at most
    ``SSCARD_KIOSK_TOKEN_DAYS``); the kiosk's other tokens stay valid.  Writes ``KIOSK_TOKEN_ISSUED``."""
    with transaction.atomic():
        raw, row = token_issue(kind=ApiToken.Kind.KIOSK, replace=False, valid_for=lifetime, kiosk=kiosk)
        audit_record(event_type=AuditEventType.KIOSK_TOKEN_ISSUED, actor=actor, subject_type="kiosk",
                     subject_id=kiosk.pk, outlet_id=kiosk.outlet_id, data={"expires_at": row.expires_at})
    return raw


def kiosk_token_rotate(*, actor: Actor, kiosk: KioskDevice, lifetime: dt.timedelta | None = None,
                       grace: dt.timedelta = dt.timedelta(0)) -> str:
    """A new token for the kiosk; its earlier tokens end after ``grace`` (at once by default), so the
    device can be given the new one first.  Refused for a disabled kiosk.  Writes ``KIOSK_TOKEN_ROTATED``."""
    with transaction.atomic():
        kiosk = KioskDevice.objects.select_for_update().get(pk=kiosk.pk)
        if not kiosk.is_active:
            raise Refused("KIOSK_DISABLED", "自助一体机已停用，不能签发令牌")
        earlier = _live(ApiToken.objects.filter(kind=ApiToken.Kind.KIOSK, kiosk=kiosk))
        if grace:
            ended = earlier.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=clock.now() + grace)).update(
                expires_at=clock.now() + grace)
        else:
            ended = tokens_revoke(earlier, reason="rotated")
        raw, row = token_issue(kind=ApiToken.Kind.KIOSK, replace=False, valid_for=lifetime, kiosk=kiosk)
        audit_record(event_type=AuditEventType.KIOSK_TOKEN_ROTATED, actor=actor, subject_type="kiosk",
                     subject_id=kiosk.pk, outlet_id=kiosk.outlet_id,
                     data={"expires_at": row.expires_at, "earlier_tokens": ended,
                           "grace_minutes": int(grace.total_seconds() // 60)})
    return raw
