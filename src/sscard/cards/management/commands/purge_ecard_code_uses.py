"""Delete the recorded uses of 电子社保卡 codes that expired long enough ago to guard nothing."""

import datetime as dt

from django.core.management.base import BaseCommand

from sscard.cards.ecard import ecard_code_uses_purge


class Command(BaseCommand):
    help = "删除已过期的电子社保卡码使用记录（过期的码本身已被拒绝，记录不再防重放）。可随时重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-hours", type=int, default=24,
                            help="删除失效超过这么多小时的记录（默认 24）")

    def handle(self, *args, older_than_hours, **options):
        deleted = ecard_code_uses_purge(older_than=dt.timedelta(hours=max(older_than_hours, 0)))
        self.stdout.write(f"deleted {deleted} expired e-card code use(s)")
