"""Disabling an account (a staff member, an app account, a kiosk): it ends every token and page session
of the holder in the same transaction, so a disabled account cannot call once more with what it holds.

Each writes ``ACCOUNT_DISABLED`` with the number of tokens and sessions ended.  The admin's actions and
its change form (``sscard.staff.admin``) call these; the token check (``sscard.api.auth``) and the pages
(``sscard.web.access``) also refuse an inactive holder on every request, as a second line.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import Conflict
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, StaffMember, StaffSession
from sscard.staff.tokens import tokens_revoke


def _sessions_end(user_id: int) -> int:
    """Delete the member's page sessions through the configured session engine (database, cache, ...)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(StaffSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    StaffSession.objects.filter(user_id=user_id).delete()
    return len(keys)


def _record(*, actor: Actor, subject_type: str, subject_id, tokens: int, sessions: int = 0, person_id=None,
            outlet_id=None) -> None:
    audit_record(event_type=AuditEventType.ACCOUNT_DISABLED, actor=actor, subject_type=subject_type,
                 subject_id=subject_id, person_id=person_id, outlet_id=outlet_id,
                 before={"is_active": True}, after={"is_active": False},
                 data={"tokens_revoked": tokens, "sessions_ended": sessions, "at": clock.now()})


def user_disable(*, actor: Actor, user_id: int) -> None:
    """Disable a sign-in user (``is_active``): revoke the tokens of their staff record, end their page
    sessions.  ``ACCOUNT_ALREADY_DISABLED`` (409) if it was.  A user without a staff record (a bare
    superuser) is recorded as subject ``user``."""
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        if not user.is_active:
            raise Conflict("ACCOUNT_ALREADY_DISABLED", "该账户已停用")
        user.is_active = False
        user.save(update_fields=["is_active"])
        staff = StaffMember.objects.filter(user_id=user_id).first()
        tokens = tokens_revoke(ApiToken.objects.filter(staff=staff), reason="disabled") if staff else 0
        sessions = _sessions_end(user.pk)
        _record(actor=actor, subject_type="staff" if staff else "user",
                subject_id=staff.pk if staff else user.pk, tokens=tokens, sessions=sessions,
                outlet_id=staff.outlet_id if staff else None)


def staff_member_disable(*, actor: Actor, staff: StaffMember) -> None:
    """Disable a staff member's sign-in (``user.is_active``), revoke their tokens, end their sessions."""
    user_disable(actor=actor, user_id=staff.user_id)


def citizen_account_disable(*, actor: Actor, account: CitizenAccount) -> None:
    """Disable an app account and revoke its tokens."""
    with transaction.atomic():
        account = CitizenAccount.objects.select_for_update().get(pk=account.pk)
        if not account.is_active:
            raise Conflict("ACCOUNT_ALREADY_DISABLED", "该账户已停用")
        account.is_active = False
        account.save(update_fields=["is_active"])
        tokens = tokens_revoke(ApiToken.objects.filter(citizen_id=account.pk), reason="disabled")
        _record(actor=actor, subject_type="citizen_account", subject_id=account.pk, tokens=tokens,
                person_id=account.person_id)


def kiosk_disable(*, actor: Actor, kiosk: KioskDevice) -> None:
    """Take a kiosk out of service and revoke its tokens."""
    with transaction.atomic():
        kiosk = KioskDevice.objects.select_for_update().get(pk=kiosk.pk)
        if not kiosk.is_active:
            raise Conflict("ACCOUNT_ALREADY_DISABLED", "该账户已停用")
        kiosk.is_active = False
        kiosk.save(update_fields=["is_active"])
        tokens = tokens_revoke(ApiToken.objects.filter(kiosk_id=kiosk.pk), reason="disabled")
        _record(actor=actor, subject_type="kiosk", subject_id=kiosk.pk, tokens=tokens,
                outlet_id=kiosk.outlet_id)
