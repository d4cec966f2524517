from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sscard.ops.backup import backup_create
from sscard.ops.database import RestoreRefused


class Command(BaseCommand):
    help = ("备份：数据库的一致性副本（PostgreSQL 用 pg_dump 自定义格式的同一快照，SQLite 用在线备份）、"
            "存储中的全部文件（按存储原样，加密的仍加密）与清单（各表行数、文件 SHA-256、备份时的签名树头、版本）。"
            "Take a consistent backup of the database, every stored file and a manifest into a new folder.")

    def add_arguments(self, parser):
        parser.add_argument("out", help="备份目录（新建或为空）")

    def handle(self, *args, **options):
        try:
            manifest = backup_create(Path(options["out"]))
        except (FileExistsError, RestoreRefused) as exc:
            raise CommandError(f"备份未完成：{exc}") from exc
        db, head = manifest["database"], manifest["database"]["audit_head"]
        rows = sum(db["tables"].values())
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{options['out']}：数据库 {db['vendor']} {len(db['tables'])} 张表 {rows} 行，"
            f"文件 {manifest['storage']['files']} 个，签名树头叶数 {head['size'] if head else 0}"))
