"""Load public holidays and make-up working days into the edited calendar table.

    manage.py import_holidays --from-chinesecalendar 2026
    manage.py import_holidays --file notice_2027.csv      # CSV: date,kind,name (kind: holiday|workday)

Idempotent: re-running changes nothing and reports the rows as unchanged.  A bad file saves nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sscard.core.errors import DomainError
from sscard.staff.actors import Actor
from sscard.workdays import rules
from sscard.workdays.choices import YearSource
from sscard.workdays.services import calendar_import


class Command(BaseCommand):
    help = "导入法定节假日与调休上班日（来自 chinesecalendar 或国务院通知 CSV）"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--from-chinesecalendar", type=int, metavar="YEAR", dest="year")
        group.add_argument("--file", metavar="PATH", dest="path")

    def handle(self, *args, year=None, path=None, **options):
        if year is not None:
            if not rules.chinesecalendar_knows(year):
                raise CommandError(f"chinesecalendar 没有 {year} 年的节假日数据，请用 --file 导入国务院通知")
            rows = rules.chinesecalendar_year(year)
            source, note = YearSource.CHINESECALENDAR, f"导入自 chinesecalendar（{year}）"
        else:
            file = Path(path)
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise CommandError(f"无法读取文件 {file.name}：{exc.__class__.__name__}") from exc
            try:
                rows = rules.parse_calendar_csv(text)
            except ValueError as exc:
                raise CommandError(f"文件 {file.name} 有误，未导入任何数据：{exc}") from exc
            source, note = YearSource.FILE, f"导入自文件 {file.name}"[:200]
        try:
            actor = Actor.system("import_holidays")
            counts = calendar_import(actor=actor, rows=rows, source=source, note=note)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"created={counts.created} updated={counts.updated} unchanged={counts.unchanged} "
            f"(新增 {counts.created}，更新 {counts.updated}，未变 {counts.unchanged})"
        )
