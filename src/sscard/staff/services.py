"""Signing in (staff: API token or page session; app users: API token) and out of a page session.

Every sign-in is counted by ``sscard.staff.lockout`` (django-axes): a locked account or address is refused
with ``SIGN_IN_LOCKED`` (429) before any password is checked.  Every failure writes ``SIGN_IN_FAILED`` and
the failure that reaches a limit ``SIGN_IN_LOCKED_OUT``, each committed on its own (the refusal that
follows must not roll it back).  An unknown account and a wrong password answer alike: the same message,
and the same work (a password hash is computed for an unknown account too), so the answer's time does not
tell whether an ID number has an app account.  The services take the ``request``: Axes counts by its
address.
"""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock, crypto
from sscard.core.errors import Forbidden, Refused
from sscard.policy.choices import Channel
from sscard.staff import lockout
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount, StaffMember, StaffSession
from sscard.staff.tokens import kiosk_token_issue, token_issue  # noqa: F401 (kiosk_token_issue: the old home)

STAFF_FAILED = "用户名或密码错误"
CITIZEN_FAILED = "证件号码或密码错误"


def _locked_error() -> Refused:
    return Refused("SIGN_IN_LOCKED", f"登录失败次数过多，已暂时锁定，请 {lockout.cool_off_minutes()} 分钟后再试",
                   status=429)


def _client_address(request) -> str:
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")


def _failed(request, *, key: str, channel: str, path: str, subject_type: str, subject_id, person_id=None,
            locked_before: bool, counted: bool) -> None:
    """Count (unless ``authenticate`` already did) and audit a failed sign-in, in its own transaction."""
    locked_now = (getattr(request, "axes_locked_out", False) if counted
                  else lockout.record_failure(request, key))
    actor = Actor.anonymous(channel)
    data = {"via": path, "address": _client_address(request),
            "reason": "locked" if locked_before else "credentials"}
    with transaction.atomic():
        if locked_now and not locked_before:
            audit_record(event_type=AuditEventType.SIGN_IN_LOCKED_OUT, actor=actor, subject_type=subject_type,
                         subject_id=subject_id, person_id=person_id,
                         data={**data, "limit": lockout.locked_by(request, key)})
        audit_record(event_type=AuditEventType.SIGN_IN_FAILED, actor=actor, subject_type=subject_type,
                     subject_id=subject_id, person_id=person_id, data=data)


def staff_authenticate(*, request, username: str, password: str, path: str = "api") -> StaffMember:
    """The staff member with these credentials, or ``SIGN_IN_FAILED`` (one message for an unknown name and
    a wrong password; Django's backend hashes the password for an unknown name too) or ``SIGN_IN_LOCKED``.
    ``path`` (``api`` / ``session``) goes into the failure's audit record."""
    locked_before = lockout.is_locked(request, username)
    user = authenticate(request, username=username, password=password)
    staff = StaffMember.objects.select_related("user", "outlet").filter(user=user).first() if user else None
    if staff is not None:
        staff.user = user  # the authenticated instance: it carries the backend `login` needs
        lockout.reset_account(username)
        return staff
    known = get_user_model().objects.filter(username=username).values_list("staff__pk", flat=True).first()
    # a real user without a staff record signed in through `authenticate`: count it as the failure it is here
    _failed(request, key=username, channel=Channel.BACK_OFFICE, path=path, subject_type="staff",
            subject_id=known or "", locked_before=locked_before, counted=user is None)
    if locked_before or getattr(request, "axes_locked_out", False):
        raise _locked_error()
    raise Forbidden("SIGN_IN_FAILED", STAFF_FAILED, status=401)


def staff_sign_in(*, request, username: str, password: str) -> tuple[str, Actor]:
    """Sign in an API client: a bearer token (see ``sscard.staff.tokens`` for its lifetime); the member's
    earlier staff tokens are revoked.  Writes ``STAFF_SIGNED_IN``."""
    staff = staff_authenticate(request=request, username=username, password=password)
    actor = Actor.for_staff(staff)
    with transaction.atomic():
        raw, _ = token_issue(kind=ApiToken.Kind.STAFF, replace=True, staff=staff)
        audit_record(event_type=AuditEventType.STAFF_SIGNED_IN, actor=actor, subject_type="staff",
                     subject_id=staff.pk)
    return raw, actor


def staff_session_opened(*, actor: Actor, session_key: str | None = None) -> None:
    """Record a page sign-in (the session itself is Django's), and its key so that disabling the member
    ends it (``StaffSession``)."""
    with transaction.atomic():
        if session_key:
            StaffSession.objects.update_or_create(
                session_key=session_key, defaults={"user_id": actor.user_id, "created_at": clock.now()})
        audit_record(event_type=AuditEventType.STAFF_SIGNED_IN, actor=actor, subject_type="staff",
                     subject_id=actor.staff_id, data={"via": "session"})


def staff_session_closed(*, actor: Actor, reason: str, session_key: str | None = None) -> None:
    """Record a page sign-out: ``reason`` is ``user`` (signed out) or ``idle`` (the idle timeout)."""
    with transaction.atomic():
        if session_key:
            StaffSession.objects.filter(session_key=session_key).delete()
        audit_record(event_type=AuditEventType.STAFF_SIGNED_OUT, actor=actor, subject_type="staff",
                     subject_id=actor.staff_id, data={"via": "session", "reason": reason})


def citizen_sign_in(*, request, id_number: str, password: str, path: str = "api") -> tuple[str, Actor]:
    """Sign in an app user with ID number and password: a bearer token; the account's earlier tokens are
    revoked.  ``SIGN_IN_FAILED`` alike for an unknown number, a disabled account and a wrong password (a
    hash is computed in each case), ``SIGN_IN_LOCKED`` when locked.  Writes ``CITIZEN_SIGNED_IN``.
    ``path`` (``api`` / ``session``: the app's pages) goes into the failure's audit record."""
    key = lockout.citizen_key(id_number)
    locked_before = lockout.is_locked(request, key)
    account = (CitizenAccount.objects.select_related("person")
               .filter(person__id_hash=crypto.lookup_hash(id_number, purpose="id")).first())
    if not locked_before:  # locked: no password is checked, for any account
        if account is None:
            make_password(password)  # the same work as checking a real account's password
            account_ok = False
        else:
            account_ok = check_password(password, account.password_hash) and account.is_active
        if account_ok:
            lockout.reset_account(key)
            actor = Actor.for_citizen(account)
            with transaction.atomic():
                raw, _ = token_issue(kind=ApiToken.Kind.CITIZEN, replace=True, citizen=account)
                audit_record(event_type=AuditEventType.CITIZEN_SIGNED_IN, actor=actor,
                             subject_type="citizen_account", subject_id=account.pk,
                             person_id=account.person_id)
            return raw, actor
    _failed(request, key=key, channel=Channel.APP, path=path, subject_type="citizen_account",
            subject_id=account.pk if account else "", person_id=account.person_id if account else None,
            locked_before=locked_before, counted=False)
    if locked_before or getattr(request, "axes_locked_out", False):
        raise _locked_error()
    raise Forbidden("SIGN_IN_FAILED", CITIZEN_FAILED, status=401)
