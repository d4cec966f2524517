"""Delete or anonymise what is past its retention schedule (``sscard.retention``), then report the audit
events past the legal minimum for the DBA's archival.  ``--dry-run`` counts and changes nothing.

Run it daily from cron on one node, off-peak (``manage.py purge_expired``); it is idempotent and works in
chunks (``SSCARD_RETENTION_CHUNK`` rows a transaction, ``SKIP LOCKED``), so an overlap or a crash is
harmless: the next run does what is left.  It is not part of ``run_due_sweeps`` (that runs every few
minutes and sits in ``production``, below this app; a purge once a day is what the schedules need).
"""

from django.core.management.base import BaseCommand

from sscard.retention.purge import purge_expired


class Command(BaseCommand):
    help = "清理超过保存期限的个人数据与影像（删除或匿名化，分块、可重复执行），并列出超过法定最短保存期的审计记录供归档"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将要清理的数量，不做任何改动")
        parser.add_argument("--chunk", type=int, default=None, help="每个事务处理的行数（默认 SSCARD_RETENTION_CHUNK）")

    def handle(self, *args, dry_run=False, chunk=None, **options):
        results, report = purge_expired(dry_run=dry_run, chunk=chunk)
        verb = "due" if dry_run else "purged"
        for r in results:
            line = f"{r.kind}: {r.step}: {r.rows} rows {verb}"
            if not dry_run:
                line += f", {r.files} files deleted, {r.chunks} chunks"
            if r.note:
                line += f" ({r.note})"
            self.stdout.write(line)
        span = f", seq {report.first_seq}..{report.last_seq}" if report.events else ""
        self.stdout.write(f"audit events older than {report.cutoff.isoformat()} (legal minimum passed): "
                          f"{report.events}{span}; never deleted by the application: archive them as the "
                          "database owner (docs/OPERATIONS.md, Retention)")
        for year, n in report.by_year.items():
            self.stdout.write(f"  {year}: {n}")
