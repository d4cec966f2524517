from django.core.management.base import BaseCommand

from sscard.ops.roles import roles_sql


class Command(BaseCommand):
    help = ("打印 PostgreSQL 角色与授权脚本（交 DBA 执行，每次 migrate 后重跑）：属主角色执行迁移，应用角色对审计表只有 "
            "SELECT/INSERT。Print the PostgreSQL role and grant script for the DBA (rerun after every migrate).")

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default="sscard_app", help="应用角色（缺省 sscard_app）")
        parser.add_argument("--owner-role", default="sscard_owner", help="属主角色（缺省 sscard_owner）")
        parser.add_argument("--database", default="sscard", help="数据库名（缺省 sscard）")

    def handle(self, *args, **options):
        self.stdout.write(roles_sql(app=options["app_role"], owner=options["owner_role"],
                                    database=options["database"]), ending="")
