import base64
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sscard.ops.database import RestoreRefused
from sscard.ops.restore import backup_restore


class Command(BaseCommand):
    help = ("恢复并校验：把备份装入本进程配置的空数据库与空存储，再核对各表行数、审计日志（公钥与见证副本）、"
            "抽查文件哈希与解密。Restore a backup into the fresh database and storage of this environment, "
            "then verify counts, the audit log, a sample of file hashes and decryption.")

    def add_arguments(self, parser):
        parser.add_argument("backup", help="backup_create 写出的备份目录")
        parser.add_argument("--heads", help="见证副本：签名树头文件（不随备份保存）")
        parser.add_argument("--public-key", help="验签公钥（32 字节的 base64）；缺省用本机配置的公钥")
        parser.add_argument("--sample", type=int, default=20, help="抽查的文件数与每个加密模型的行数（缺省 20）")

    def handle(self, *args, **options):
        public = base64.b64decode(options["public_key"]) if options["public_key"] else None
        try:
            report = backup_restore(Path(options["backup"]), public_key=public, heads_file=options["heads"],
                                    sample=options["sample"])
        except RestoreRefused as exc:
            raise CommandError(f"恢复未进行或未完成：{exc}") from exc
        for line in report.checked:
            self.stdout.write(f"  ✓ {line}")
        if not report.ok:
            for line in report.problems:
                self.stderr.write(f"  ✗ {line}")
            raise CommandError(f"恢复校验未通过：{len(report.problems)} 项问题")
        self.stdout.write(self.style.SUCCESS("恢复校验通过"))
