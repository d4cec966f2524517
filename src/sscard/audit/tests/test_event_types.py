"""The registry of audit event types (``audit.choices.AuditEventType``) against the code that writes them:
every type written is registered, none is built at run time, every registered type is written somewhere,
and each is named in the past tense."""

import ast
import re
from pathlib import Path

import pytest

from sscard.audit.choices import EVENT_TYPES, AuditEventType
from sscard.audit.services import audit_record
from sscard.staff.actors import Actor

SRC = Path(__file__).resolve().parents[2]
IRREGULAR_PAST = {"MADE", "SENT", "WITHDRAWN", "RESET"}


def _code_files():
    for path in sorted(SRC.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path


def written_types(source: str) -> tuple[set[str], list[str]]:
    """(types named in the code, expressions that build one at run time) of one module's source."""
    named, built = set(), []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "AuditEventType"
                and node.attr.isupper()):
            named.add(node.attr)
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg != "event_type":
                    continue
                if isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    named.add(kw.value.value)
                elif isinstance(kw.value, (ast.JoinedStr, ast.BinOp)) or (
                        isinstance(kw.value, ast.Call) and ast.unparse(kw.value.func).endswith(("format", "join"))):
                    built.append(f"line {node.lineno}: {ast.unparse(kw.value)}")
    return named, built


def _scan():
    named, built = set(), []
    for path in _code_files():
        n, b = written_types(path.read_text(encoding="utf-8"))
        named |= n
        built += [f"{path.relative_to(SRC)} {x}" for x in b]
    return named, built


def test_every_type_written_is_registered_and_none_is_built_at_run_time():
    named, built = _scan()
    assert sorted(named - EVENT_TYPES) == []
    assert built == []


def test_every_registered_type_is_written_somewhere():
    named, _ = _scan()
    assert sorted(EVENT_TYPES - named) == []


def test_the_scanner_finds_an_unregistered_or_built_type():
    named, built = written_types('audit_record(event_type="CARD_TELEPORTED")\n'
                                 'audit_record(event_type=f"ORDER_{event.upper()}")\n')
    assert named - EVENT_TYPES == {"CARD_TELEPORTED"} and len(built) == 1


@pytest.mark.parametrize("member", list(AuditEventType), ids=str)
def test_names_are_past_tense_and_labelled(member):
    assert member.name == member.value and re.fullmatch(r"[A-Z]+(_[A-Z]+)+", member.value)
    assert any(word.endswith("ED") or word in IRREGULAR_PAST for word in member.value.split("_")), member.value
    assert re.search(r"[\u4e00-\u9fff]", member.label)


@pytest.mark.django_db(transaction=False)
def test_an_unregistered_type_is_refused():
    from django.db import transaction

    with pytest.raises(ValueError, match="AuditEventType"), transaction.atomic():
        audit_record(event_type="CARD_TELEPORTED", actor=Actor.system("test"), subject_type="card", subject_id="X")
