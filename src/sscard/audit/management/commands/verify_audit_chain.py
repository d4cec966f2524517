from django.core.management.base import BaseCommand, CommandError

from sscard.audit.services import audit_verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，发现断裂时指出第一条断裂记录。Verify the audit hash chain."

    def handle(self, *args, **options):
        ok, seq, reason = audit_verify_chain()
        if not ok:
            raise CommandError(f"审计链断裂：第一条断裂记录 seq={seq}：{reason}")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：{reason}"))
