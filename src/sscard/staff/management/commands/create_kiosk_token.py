"""Provision a bearer token for a kiosk device (自助一体机) and print it once.

    manage.py create_kiosk_token K-YZ-01            # valid for SSCARD_KIOSK_TOKEN_DAYS (90 by default)
    manage.py create_kiosk_token K-YZ-01 --days 30  # valid for 30 days (never longer than the setting)

Only a SHA-256 of the token is stored, so the printed value cannot be shown again; issuing is audited
(``KIOSK_TOKEN_ISSUED``).  Existing tokens of the device stay valid: to replace them, ``rotate_kiosk_token``.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from sscard.staff.actors import Actor
from sscard.staff.models import KioskDevice
from sscard.staff.tokens import kiosk_token_issue


class Command(BaseCommand):
    help = "为自助一体机签发访问令牌（仅显示一次）。Issue a bearer token for a kiosk device."

    def add_arguments(self, parser):
        parser.add_argument("kiosk_code", help="自助一体机编号，如 K-YZ-01")
        parser.add_argument("--days", type=int, default=None, help="有效天数（缺省为 SSCARD_KIOSK_TOKEN_DAYS，不超过该值）")

    def handle(self, *args, kiosk_code: str, days: int | None = None, **options):
        kiosk = KioskDevice.objects.select_related("outlet").filter(code=kiosk_code).first()
        if kiosk is None:
            raise CommandError(f"未找到编号为 {kiosk_code} 的自助一体机")
        if not kiosk.is_active:
            raise CommandError(f"自助一体机 {kiosk_code} 已停用，不能签发令牌")
        if days is not None and days < 1:
            raise CommandError("--days 必须为正整数")
        lifetime = dt.timedelta(days=days) if days else None
        raw = kiosk_token_issue(actor=Actor.system("create_kiosk_token"), kiosk=kiosk, lifetime=lifetime)
        self.stderr.write(f"自助一体机 {kiosk.code}（{kiosk.outlet.name}）的新令牌"
                          f"{f'，{days} 天内有效' if days else ''}；请妥善保存，此令牌不会再次显示：")
        self.stdout.write(raw)
