import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import OperationalError, connections

from sscard.audit.sequencer import CHUNK, audit_integrate


class Command(BaseCommand):
    help = ("审计定序：把已提交的审计记录并入审计树并签署新树头。"
            "Integrate committed audit events into the Merkle tree and sign the new tree head.")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒一次（Ctrl-C 停止）")
        parser.add_argument("--interval", type=float, default=2.0, help="循环间隔秒数，缺省 2")

    def handle(self, *args, **options):
        chunk = getattr(settings, "SSCARD_AUDIT_SEQUENCE_CHUNK", CHUNK)  # shorter on SQLite (settings)
        while True:
            try:
                head = audit_integrate(chunk=chunk)
            except OperationalError as exc:  # the database busy or gone: the loop outlives it
                if not options["loop"]:
                    raise
                self.stderr.write(f"审计定序暂停（{type(exc).__name__}），稍后重试")
                connections.close_all()
                time.sleep(options["interval"])
                continue
            if head is not None:
                self.stdout.write(f"树头：{head.size} 片树叶，根 {head.root.hex()[:16]}…")
            if not options["loop"]:
                if head is None:
                    self.stdout.write("没有待入树的记录")
                return
            time.sleep(options["interval"])
