import base64

from django.core.management.base import BaseCommand, CommandError

from sscard.audit.verify import audit_verify


class Command(BaseCommand):
    help = ("校验审计日志：每条记录的哈希、审计树与每个签名树头；发现问题时指出第一条。"
            "Verify the audit log: every event's hash, the Merkle tree and each signed tree head.")

    def add_arguments(self, parser):
        parser.add_argument("--public-key", help="验签公钥（32 字节的 base64）；缺省用本机配置的公钥")
        parser.add_argument("--heads", help="见证副本：签名树头文件（每行一个 JSON），与数据库中的树逐一比对")

    def handle(self, *args, **options):
        public = base64.b64decode(options["public_key"]) if options["public_key"] else None
        ok, seq, reason = audit_verify(public_key=public, heads_file=options["heads"])
        if not ok:
            where = f"第一条问题记录 seq={seq}：" if seq is not None else ""
            raise CommandError(f"审计日志校验未通过：{where}{reason}")
        self.stdout.write(self.style.SUCCESS(f"审计日志完整：{reason}"))
