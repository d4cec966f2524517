"""The supervised task worker (``sscard.core.worker``): django-tasks-db's worker restarted after an error,
taking back the tasks its id left half-way.  ``scripts/task_worker.sh`` restarts the process itself."""

import logging
import sys

from django.core.management.base import BaseCommand

from sscard.core.worker import supervise


class Command(BaseCommand):
    help = "运行后台任务进程（出错后自动重启，接续中断的任务）"

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", default="worker-1",
                            help="本进程的工作者标识（同一时刻只能有一个进程使用），缺省 worker-1")
        parser.add_argument("--queue-name", default="default", help="队列名，逗号分隔，缺省 default")
        parser.add_argument("--interval", type=float, default=1.0, help="无任务时的轮询间隔秒数，缺省 1")

    def handle(self, *args, **options):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        for name in ("sscard.worker", "django_tasks_db", "django_tasks"):
            log = logging.getLogger(name)
            if not log.handlers:
                log.addHandler(handler)
                log.propagate = False  # one line a message, not a second one through the root logger
            log.setLevel(logging.INFO)
        supervise(worker_id=options["worker_id"], queue_names=options["queue_name"].split(","),
                  interval=options["interval"])
