"""Operator command standing in for the card vendor's result: finish central (app) production."""

from django.core.management.base import BaseCommand, CommandError

from sscard.core.errors import DomainError
from sscard.desk.choices import ProductionMode, RequestStatus
from sscard.desk.models import ServiceRequest
from sscard.desk.services import request_finish_production
from sscard.staff.actors import Actor


class Command(BaseCommand):
    help = "完成集中制卡（网上申办）：指定业务编号，或 --all（--all-due）处理全部制卡中的集中制卡业务。幂等，逐笔留痕。"

    def add_arguments(self, parser):
        parser.add_argument("request_no", nargs="*", help="业务编号")
        parser.add_argument("--all", "--all-due", dest="all", action="store_true",
                            help="全部已审核通过、制卡中的集中制卡业务")

    def handle(self, *args, request_no, **options):
        take_all = options["all"]
        if not request_no and not take_all:
            raise CommandError("请指定业务编号，或使用 --all-due")
        numbers = list(request_no)
        if take_all:
            numbers += list(ServiceRequest.objects.filter(status=RequestStatus.IN_PRODUCTION,
                                                          production_mode=ProductionMode.CENTRAL)
                            .order_by("due_at", "id").values_list("request_no", flat=True))
        actor = Actor.system("central-production")
        done = refused = 0
        for no in dict.fromkeys(numbers):
            try:
                req = request_finish_production(actor=actor, request_no=no)
            except DomainError as exc:
                refused += 1
                self.stderr.write(f"{no}: 未处理（{exc.code}）{exc.message}")
                continue
            done += 1
            self.stdout.write(f"{no}: 制卡完成，卡号 {req.new_card.card_no}，状态 {req.get_status_display()}")
        self.stdout.write(f"完成 {done} 笔，未处理 {refused} 笔")
