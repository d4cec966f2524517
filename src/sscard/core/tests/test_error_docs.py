"""docs/ERRORS.md is the document ``manage.py error_codes`` generates from the registries, kept current."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sscard.core.error_docs import WRITE_COMMAND, render_markdown
from sscard.core.errors import all_error_codes

DOC = Path(settings.BASE_DIR) / "docs" / "ERRORS.md"


def test_errors_md_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render_markdown(all_error_codes()), f"run `{WRITE_COMMAND}`"


def test_document_lists_every_code_with_status_and_message_by_app():
    text = render_markdown(all_error_codes())
    assert '{"code": "CARD_NOT_FOUND", "message": ' in text and '"rule": ' in text and '"details": ' in text
    for registry in all_error_codes():
        section = text.split(f"\n## {registry.app_label}\n", 1)[1].split("\n## ", 1)[0]
        for entry in registry:
            assert f"| `{entry.code}` | {entry.status or '随错误'}" in section
            assert entry.message_zh in section
    assert "| `APPLICATION_PENDING` | 422 (409) |" in text


def test_command_writes_and_checks(tmp_path, capsys):
    target = tmp_path / "ERRORS.md"
    call_command("error_codes", write=str(target))
    assert target.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    call_command("error_codes", check=str(target))
    target.write_text("stale", encoding="utf-8")
    with pytest.raises(CommandError, match="out of date"):
        call_command("error_codes", check=str(target))
    capsys.readouterr()
    call_command("error_codes")
    assert capsys.readouterr().out == render_markdown(all_error_codes())
