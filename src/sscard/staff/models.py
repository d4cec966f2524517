"""Outlets, staff, kiosk devices, citizen app accounts and the API tokens they call with."""

import hashlib
import secrets

from django.conf import settings
from django.db import models

from sscard.staff.choices import DeviceStatus, OutletLevel, StaffRole


class Outlet(models.Model):
    """A service window site: a district (区县) or township/street (乡镇/街道) outlet.

    ``has_signature_pad`` decides signature pad vs printed form; ``has_digital_archive`` decides archived
    images vs a paper-archive reference; ``issuance_status`` decides instant issuance vs the 24-hour limit.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    district = models.CharField(max_length=50)
    level = models.CharField(max_length=16, choices=OutletLevel.choices)
    has_signature_pad = models.BooleanField(default=True)
    has_digital_archive = models.BooleanField(default=True)
    issuance_status = models.CharField(max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.WORKING)
    accepts_pickup = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.name


class StaffMember(models.Model):
    """A member of staff: one role, and the outlet they work at (window clerks must have one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    outlet = models.ForeignKey(Outlet, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    display_name = models.CharField(max_length=50)
    window = models.CharField("窗口号", max_length=20, blank=True, help_text="窗口经办员所在的窗口，如 3号窗口")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(role=StaffRole.CLERK) | models.Q(outlet__isnull=False),
                                   name="clerk_has_an_outlet"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"


class KioskDevice(models.Model):
    """A self-service kiosk (自助一体机), placed at an outlet; it calls the API with its device token."""

    code = models.CharField(max_length=32, unique=True)
    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="kiosks")
    is_active = models.BooleanField(default=True)

    def __str__(self):
        return self.code


class CitizenAccount(models.Model):
    """A citizen's “重庆人社” app account, bound to the person it belongs to (real-name)."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="app_account")
    password_hash = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()


class ApiToken(models.Model):
    """Bearer token for devices, the app and staff API clients.  Only a SHA-256 of the token is kept."""

    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        KIOSK = "kiosk", "自助一体机"
        CITIZEN = "citizen", "APP用户"

    token_hash = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    staff = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.CASCADE)
    kiosk = models.ForeignKey(KioskDevice, null=True, blank=True, on_delete=models.CASCADE)
    citizen = models.ForeignKey(CitizenAccount, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @staticmethod
    def new_raw_token() -> str:
        return secrets.token_urlsafe(32)
