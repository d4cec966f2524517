"""fees.schedule: the fee schedule changed from the settings pages, checked and audited."""

import pytest

from sscard.audit.models import AuditEvent
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sscard.fees.models import FeeRule
from sscard.fees.schedule import fee_rule_add, fee_rule_change
from sscard.fees.selectors import fee_quote
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db
SUPERVISOR = Actor(kind="staff", role="supervisor", name="主管甲", channel="back_office", staff_id=4)


@pytest.fixture
def lost():
    return FeeRule.objects.get(business="reissue", reason="lost")


def test_a_change_applies_to_new_quotes_and_is_audited(lost):
    rule, changed = fee_rule_change(actor=SUPERVISOR, rule_id=lost.pk, amount_fen=2500, note=lost.note, is_active=True)
    assert changed == {"amount_fen": 2500} and rule.amount_fen == 2500
    assert fee_quote(business="reissue", reason="lost", fee_exempt=False).amount_fen == 2500
    event = AuditEvent.objects.get()
    assert (event.event_type, event.subject_type, event.subject_id) == ("CONFIG_CHANGED", "fees.feerule", str(lost.pk))
    assert (event.before, event.after, event.data) == ({"amount_fen": 2000}, {"amount_fen": 2500}, {"via": "page"})
    assert fee_rule_change(actor=SUPERVISOR, rule_id=lost.pk, amount_fen=2500, note=lost.note, is_active=True)[1] == {}
    assert AuditEvent.objects.count() == 1


def test_a_stopped_rule_makes_the_business_free(lost):
    fee_rule_change(actor=SUPERVISOR, rule_id=lost.pk, amount_fen=2000, note="停用", is_active=False)
    assert fee_quote(business="reissue", reason="lost", fee_exempt=False).amount_fen == 0


@pytest.mark.parametrize("amount", [-1, 1.5, "20", True, 2_147_483_648])
def test_bad_amounts_are_refused(lost, amount):
    with pytest.raises(InvalidInput) as exc:
        fee_rule_change(actor=SUPERVISOR, rule_id=lost.pk, amount_fen=amount, note="", is_active=True)
    assert exc.value.code == "FEE_AMOUNT_INVALID" and exc.value.details == {"field": "amount"}
    assert FeeRule.objects.get(pk=lost.pk).amount_fen == 2000 and not AuditEvent.objects.exists()


def test_refusals_of_change(lost):
    with pytest.raises(InvalidInput):
        fee_rule_change(actor=SUPERVISOR, rule_id=lost.pk, amount_fen=1, note="注" * 201, is_active=True)
    with pytest.raises(NotFound):
        fee_rule_change(actor=SUPERVISOR, rule_id=999999, amount_fen=1, note="", is_active=True)
    for role in ("clerk", "auditor", "reviewer", "hotline"):
        with pytest.raises(Forbidden):
            fee_rule_change(actor=Actor(kind="staff", role=role, name=role, channel="window", outlet_id=1),
                            rule_id=lost.pk, amount_fen=1, note="", is_active=True)
    assert not AuditEvent.objects.exists()


def test_a_new_rule_for_a_reason_the_catalogue_lists():
    rule = fee_rule_add(actor=SUPERVISOR, business="replace", reason="other", amount_fen=1000, note="其他原因")
    assert fee_quote(business="replace", reason="other", fee_exempt=False).amount_fen == 1000
    event = AuditEvent.objects.get()
    assert event.event_type == "CONFIG_ADDED" and event.subject_id == str(rule.pk) and event.after["amount_fen"] == 1000
    with pytest.raises(Conflict) as exc:
        fee_rule_add(actor=SUPERVISOR, business="replace", reason="other", amount_fen=1, note="")
    assert exc.value.code == "FEE_RULE_EXISTS"


@pytest.mark.parametrize("business, reason", [("apply", "lost"), ("reissue", "damaged"), ("fly", ""),
                                              ("replace", "bored")])
def test_a_new_rule_needs_a_known_business_and_one_of_its_reasons(business, reason):
    with pytest.raises(InvalidInput) as exc:
        fee_rule_add(actor=SUPERVISOR, business=business, reason=reason, amount_fen=100, note="")
    assert exc.value.code == "FEE_RULE_INVALID"
    assert not AuditEvent.objects.exists()
