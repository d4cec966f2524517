from django.core.management.base import BaseCommand, CommandError

from sscard.notify.services import messages_retry
from sscard.staff.actors import Actor


class Command(BaseCommand):
    help = ("发送失败的短信重新发送（同一幂等键，不会重复送达）。"
            "Queue failed notifications again, with the same idempotency key; audited.")

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="发件箱短信编号")
        parser.add_argument("--all-failed", action="store_true", help="全部发送失败的短信")

    def handle(self, *args, **options):
        if not options["ids"] and not options["all_failed"]:
            raise CommandError("请指定短信编号，或 --all-failed")
        moved = messages_retry(actor=Actor.system("notify-retry"), ids=options["ids"] or None)
        self.stdout.write(f"重新排队 {len(moved)} 条短信")
