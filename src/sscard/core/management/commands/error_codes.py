"""``manage.py error_codes``: print, write or check the error-code document (docs/ERRORS.md).

The document is generated from the apps' registries so it cannot drift; ``--check`` lets a CI step or a
developer see that the committed file is current without rewriting it.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sscard.core.error_docs import WRITE_COMMAND, render_markdown
from sscard.core.errors import all_error_codes


class Command(BaseCommand):
    help = "Print the error-code document (Markdown), or --write it to a file, or --check a file against it."

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="PATH", help="write the document to PATH (docs/ERRORS.md)")
        parser.add_argument("--check", metavar="PATH", help="fail when PATH differs from the document")

    def handle(self, *args, write=None, check=None, **options):
        text = render_markdown(all_error_codes())
        if check:
            path = Path(check)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{check} is out of date: run `{WRITE_COMMAND}`")
            self.stdout.write(f"{check} is up to date")
        elif write:
            Path(write).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {write}")
        else:
            self.stdout.write(text, ending="")
