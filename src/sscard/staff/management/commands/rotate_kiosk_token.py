"""Rotate a kiosk device's (自助一体机) token: issue a new one, print it once, end the earlier ones.

    manage.py rotate_kiosk_token K-YZ-01                     # earlier tokens revoked at once
    manage.py rotate_kiosk_token K-YZ-01 --grace-minutes 30  # earlier tokens still work for 30 minutes
    manage.py rotate_kiosk_token K-YZ-01 --days 30           # the new token is valid for 30 days

Run it before a token's expiry (``SSCARD_KIOSK_TOKEN_DAYS``), when a device is replaced or repaired, or when
a token may have been seen.  Audited (``KIOSK_TOKEN_ROTATED``).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from sscard.core.errors import DomainError
from sscard.staff.actors import Actor
from sscard.staff.models import KioskDevice
from sscard.staff.tokens import kiosk_token_rotate


class Command(BaseCommand):
    help = "轮换自助一体机的访问令牌：签发新令牌（仅显示一次），原令牌失效。Rotate a kiosk device's token."

    def add_arguments(self, parser):
        parser.add_argument("kiosk_code", help="自助一体机编号，如 K-YZ-01")
        parser.add_argument("--days", type=int, default=None, help="新令牌有效天数（缺省为 SSCARD_KIOSK_TOKEN_DAYS）")
        parser.add_argument("--grace-minutes", type=int, default=0, help="原令牌再保留的分钟数（缺省立即失效）")

    def handle(self, *args, kiosk_code: str, days: int | None = None, grace_minutes: int = 0, **options):
        kiosk = KioskDevice.objects.select_related("outlet").filter(code=kiosk_code).first()
        if kiosk is None:
            raise CommandError(f"未找到编号为 {kiosk_code} 的自助一体机")
        if days is not None and days < 1:
            raise CommandError("--days 必须为正整数")
        if grace_minutes < 0:
            raise CommandError("--grace-minutes 不能为负数")
        try:
            raw = kiosk_token_rotate(actor=Actor.system("rotate_kiosk_token"), kiosk=kiosk,
                                     lifetime=dt.timedelta(days=days) if days else None,
                                     grace=dt.timedelta(minutes=grace_minutes))
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        ended = f"原令牌 {grace_minutes} 分钟后失效" if grace_minutes else "原令牌已吊销"
        self.stderr.write(f"自助一体机 {kiosk.code}（{kiosk.outlet.name}）的新令牌（{ended}）；"
                          "请妥善保存，此令牌不会再次显示：")
        self.stdout.write(raw)
