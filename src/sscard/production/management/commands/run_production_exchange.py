"""Run one production-exchange cycle: orders, files out, result files in, shipping (cron / scheduler)."""

from django.core.management.base import BaseCommand

from sscard.production.exchange import exchange_cycle
from sscard.staff.actors import Actor


class Command(BaseCommand):
    help = "生成制卡批次、报盘给银行和卡商、导入回盘、发往网点（一次循环，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--simulate", action="store_true",
                            help="let the simulated bank and card vendor answer (demo / tests)")

    def handle(self, *args, simulate=False, **opts):
        report = exchange_cycle(actor=Actor.system("production-exchange"), simulate=simulate or None)
        self.stdout.write(f"orders generated: {report.orders_generated}; files sent: {len(report.files_sent)}; "
                          f"results imported: {len(report.results_imported)}; shipped: {report.orders_shipped}")
        for name, code in report.results_refused:
            self.stderr.write(f"result file not imported: {name} ({code})")
