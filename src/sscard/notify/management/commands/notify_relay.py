from django.core.management.base import BaseCommand

from sscard.notify.relay import relay_loop, relay_once
from sscard.notify.selectors import outbox_counts


class Command(BaseCommand):
    help = ("短信通知发送：把已提交的发件箱短信经短信网关发出（每条只送达一次）。"
            "Send the committed outbox through the SMS gateway (settings.SSCARD_SMS_GATEWAY), "
            "exactly once a message.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒一次（Ctrl-C 停止）")
        parser.add_argument("--interval", type=float, default=5.0, help="循环间隔秒数，缺省 5")
        parser.add_argument("--limit", type=int, default=100, help="每次领取的短信条数，缺省 100")

    def handle(self, *args, **options):
        if options["loop"]:
            relay_loop(interval=options["interval"], limit=options["limit"])
            return
        report = relay_once(limit=options["limit"])
        counts = outbox_counts()
        self.stdout.write(f"发送 {report.sent} 条，待重试 {report.retried} 条，失败 {report.failed} 条；"
                          f"发件箱：待发送 {counts['pending']}，发送中 {counts['sending']}，"
                          f"已发送 {counts['sent']}，发送失败 {counts['failed']}")
