"""Issuing API tokens: staff sign-in, kiosk provisioning, app sign-in."""

import datetime as dt

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock, crypto
from sscard.core.errors import Forbidden
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, StaffMember

TOKEN_LIFETIME = dt.timedelta(hours=12)


def _issue(**owner) -> str:
    raw = ApiToken.new_raw_token()
    now = clock.now()
    ApiToken.objects.create(token_hash=ApiToken.hash_token(raw), created_at=now, expires_at=now + TOKEN_LIFETIME,
                            **owner)
    return raw


def staff_authenticate(*, username: str, password: str) -> StaffMember:
    """The staff member with these credentials; ``SIGN_IN_FAILED`` (one message for unknown and wrong)."""
    user = authenticate(username=username, password=password)
    staff = StaffMember.objects.select_related("user", "outlet").filter(user=user).first() if user else None
    if staff is None:
        raise Forbidden("SIGN_IN_FAILED", "用户名或密码错误", status=401)
    return staff


def staff_sign_in(*, username: str, password: str) -> tuple[str, Actor]:
    """Sign in an API client: a bearer token for 12 hours."""
    staff = staff_authenticate(username=username, password=password)
    actor = Actor.for_staff(staff)
    with transaction.atomic():
        raw = _issue(kind=ApiToken.Kind.STAFF, staff=staff)
        audit_record(event_type=AuditEventType.STAFF_SIGNED_IN, actor=actor, subject_type="staff", subject_id=staff.pk)
    return raw, actor


def staff_session_opened(*, actor: Actor) -> None:
    """Record a page sign-in (the session itself is Django's)."""
    with transaction.atomic():
        audit_record(event_type=AuditEventType.STAFF_SIGNED_IN, actor=actor, subject_type="staff",
                     subject_id=actor.staff_id, data={"via": "session"})


def staff_session_closed(*, actor: Actor, reason: str) -> None:
    """Record a page sign-out: ``reason`` is ``user`` (signed out) or ``idle`` (the idle timeout)."""
    with transaction.atomic():
        audit_record(event_type=AuditEventType.STAFF_SIGNED_OUT, actor=actor, subject_type="staff",
                     subject_id=actor.staff_id, data={"via": "session", "reason": reason})


def citizen_sign_in(*, id_number: str, password: str) -> tuple[str, Actor]:
    account = (CitizenAccount.objects.select_related("person")
               .filter(person__id_hash=crypto.lookup_hash(id_number, purpose="id"), is_active=True).first())
    if account is None or not check_password(password, account.password_hash):
        raise Forbidden("SIGN_IN_FAILED", "证件号码或密码错误", status=401)
    actor = Actor.for_citizen(account)
    with transaction.atomic():
        raw = _issue(kind=ApiToken.Kind.CITIZEN, citizen=account)
        audit_record(event_type=AuditEventType.CITIZEN_SIGNED_IN, actor=actor, subject_type="citizen_account",
                     subject_id=account.pk, person_id=account.person_id)
    return raw, actor


def kiosk_token_issue(*, actor: Actor, kiosk: KioskDevice, lifetime: dt.timedelta | None = None) -> str:
    """Provision a device token (operator command); kiosks keep theirs for ``lifetime`` or until revoked."""
    with transaction.atomic():
        raw = ApiToken.new_raw_token()
        now = clock.now()
        ApiToken.objects.create(token_hash=ApiToken.hash_token(raw), kind=ApiToken.Kind.KIOSK, kiosk=kiosk,
                                created_at=now, expires_at=now + lifetime if lifetime else None)
        audit_record(event_type=AuditEventType.KIOSK_TOKEN_ISSUED, actor=actor, subject_type="kiosk", subject_id=kiosk.pk)
    return raw
