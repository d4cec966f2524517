"""The card primitives: ``cards_make`` is the only creator of card rows, and what it makes."""

import ast
from pathlib import Path

import pytest

from sscard.audit.models import AuditEvent
from sscard.cards.choices import CardState
from sscard.cards.models import Card
from sscard.cards.services import NewCard, card_make, cards_make
from sscard.staff.actors import Actor
from sscard.testing import factories as f

SRC = Path(__file__).resolve().parents[2]
ACTOR = Actor.system("cards-test")


def _creates_cards(tree: ast.AST) -> list[int]:
    """Lines that create card rows: ``Card(...)``, ``Card.objects.create`` / ``bulk_create`` / ``get_or_create``."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = ast.unparse(node.func)
        if func == "Card" or func in ("Card.objects.create", "Card.objects.bulk_create", "Card.objects.get_or_create"):
            lines.append(node.lineno)
    return lines


def test_only_cards_make_creates_card_rows():
    found = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if "/tests/" in f"/{rel}" or "/migrations/" in rel or rel.startswith("testing/"):
            continue
        lines = _creates_cards(ast.parse(path.read_text(encoding="utf-8")))
        if lines:
            found[rel] = lines
    assert list(found) == ["cards/services.py"], found


def test_the_scanner_sees_a_card_created_elsewhere():
    assert _creates_cards(ast.parse("Card.objects.create(card_no='B1')\nx = Card(card_no='B2')\n")) == [1, 2]


@pytest.mark.django_db
def test_cards_make_audits_each_card_and_a_hand_over_when_issued():
    outlet = f.make_outlet()
    people = [f.make_person(id_number=f.id_number_for(f.adult_birth())) for _ in range(3)]
    made = cards_make(actor=ACTOR, new=[
        NewCard(card_no=f"C0000000{i}", identification_code="A" * 32, person_id=p.pk, state=CardState.MADE,
                origin_channel="window", issued_outlet=outlet if i == 0 else None, audit_data={"request_no": ""})
        for i, p in enumerate(people)])
    assert [c.card_no for c in Card.objects.order_by("card_no")] == [c.card_no for c in made]
    events = list(AuditEvent.objects.order_by("seq").values_list("event_type", "subject_id"))
    assert events == [("CARD_MADE", "C00000000"), ("CARD_HANDED_OVER", "C00000000"),
                      ("CARD_MADE", "C00000001"), ("CARD_MADE", "C00000002")]
    assert made[0].issued_outlet_id == outlet.pk and made[1].issued_at is None


@pytest.mark.django_db
def test_a_card_is_never_made_lost_or_cancelled():
    person = f.make_person()
    with pytest.raises(ValueError):
        card_make(actor=ACTOR, new=NewCard(card_no="C1", identification_code="", person_id=person.pk,
                                           state=CardState.LOST, origin_channel="window"))
    assert not Card.objects.exists()
