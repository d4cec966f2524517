import base64
import json

from django.core.management.base import BaseCommand, CommandError

from sscard.audit.models import AuditEvent, AuditLeaf
from sscard.audit.verify import audit_check_inclusion, audit_inclusion_proof


class Command(BaseCommand):
    help = ("审计记录的包含证明：打印某条记录在最新签名树头下的证明（JSON），或用公钥校验一份证明。"
            "Print the inclusion proof of one audit event under the latest signed tree head, or check one.")

    def add_arguments(self, parser):
        parser.add_argument("seq", type=int, help="审计记录序号")
        parser.add_argument("--check", metavar="PROOF.json", help="校验这份证明（而不是打印新证明）")
        parser.add_argument("--public-key", help="验签公钥（32 字节的 base64）；缺省用本机配置的公钥")

    def handle(self, *args, seq, check, public_key, **options):
        event = AuditEvent.objects.filter(seq=seq).first()
        if event is None:
            raise CommandError(f"没有序号为 {seq} 的审计记录")
        if not check:
            try:
                self.stdout.write(json.dumps(audit_inclusion_proof(seq), ensure_ascii=False, indent=2))
            except AuditLeaf.DoesNotExist:
                raise CommandError(f"审计记录 seq={seq} 尚未并入审计树（等待定序，见 audit_sequence）") from None
            return
        with open(check, encoding="utf-8") as fh:
            proof = json.load(fh)
        if proof.get("seq") != seq:
            raise CommandError(f"这份证明属于 seq={proof.get('seq')}，不是 seq={seq}")
        ok, reason = audit_check_inclusion(event, proof,
                                           public_key=base64.b64decode(public_key) if public_key else None)
        if not ok:
            raise CommandError(f"包含证明校验未通过：{reason}")
        self.stdout.write(self.style.SUCCESS(f"包含证明成立：{reason}"))
