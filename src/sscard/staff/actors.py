"""Who is calling, and therefore on which channel.

The channel is never taken from a request field: a window clerk at an outlet acts on the window channel,
a kiosk device on the kiosk channel, an app account on the app channel, a hotline operator on the phone
channel.  Reviewers, supervisors, auditors and admins act in the back office; sweeps act as the system.
"""

from dataclasses import dataclass, field

from sscard.policy.choices import Channel
from sscard.staff.choices import StaffRole

ROLE_CHANNEL = {
    StaffRole.CLERK: Channel.WINDOW,
    StaffRole.HOTLINE: Channel.PHONE,
    StaffRole.REVIEWER: Channel.BACK_OFFICE,
    StaffRole.SUPERVISOR: Channel.BACK_OFFICE,
    StaffRole.AUDITOR: Channel.BACK_OFFICE,
    StaffRole.ADMIN: Channel.BACK_OFFICE,
}


@dataclass(frozen=True)
class Actor:
    """The caller of a service: copied into every audit event (name and role survive deletion)."""

    kind: str  # "staff" | "kiosk" | "citizen" | "system" | "anonymous" (a failed sign-in)
    role: str  # a StaffRole value, or "kiosk" / "citizen" / "system"
    name: str
    channel: str
    outlet_id: int | None = None
    staff_id: int | None = None
    user_id: int | None = None
    kiosk_id: int | None = None
    citizen_id: int | None = None
    person_id: int | None = None  # the app account's own person
    # The outlet's row as read with the caller's credential in this request (``outlet_id``'s), so a
    # business does not read it again; None: not read (``desk.intake.outlet_of`` reads it then).
    outlet: object = field(default=None, compare=False, repr=False)

    @classmethod
    def for_staff(cls, staff, *, outlet=None) -> "Actor":
        return cls(kind="staff", role=staff.role, name=staff.display_name, channel=ROLE_CHANNEL[staff.role],
                   outlet_id=staff.outlet_id, staff_id=staff.pk, user_id=staff.user_id, outlet=outlet)

    @classmethod
    def for_kiosk(cls, kiosk, *, outlet=None) -> "Actor":
        return cls(kind="kiosk", role="kiosk", name=kiosk.code, channel=Channel.KIOSK,
                   outlet_id=kiosk.outlet_id, kiosk_id=kiosk.pk, outlet=outlet)

    @classmethod
    def for_citizen(cls, account) -> "Actor":
        return cls(kind="citizen", role="citizen", name=f"APP用户#{account.pk}", channel=Channel.APP,
                   citizen_id=account.pk, person_id=account.person_id)

    @classmethod
    def anonymous(cls, channel: str) -> "Actor":
        """A caller not (yet) signed in: a failed or locked sign-in is recorded under it."""
        return cls(kind="anonymous", role="anonymous", name="未登录用户", channel=channel)

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(kind="system", role="system", name=name, channel=Channel.SYSTEM)
