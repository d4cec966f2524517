"""fee_quote over the seeded default schedule."""

import pytest

from sscard.fees.models import FeeRule
from sscard.fees.rules import format_yuan
from sscard.fees.selectors import fee_quote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("business, reason, amount", [
    ("apply", "", 0),
    ("reissue", "lost", 2000),
    ("replace", "damaged", 2000),
    ("replace", "quality_defect", 0),
    ("replace", "info_change", 0),
    ("renew", "expired", 0),
    ("renew", "", 0),
    ("pin_change", "", 0),
    ("unlock", "", 0),
    ("loss_report", "", 0),
])
def test_seeded_rules(business, reason, amount):
    quote = fee_quote(business=business, reason=reason, fee_exempt=False)
    assert quote.amount_fen == amount
    assert quote.exempt is False
    assert quote.rule_id is not None
    rule = FeeRule.objects.get(pk=quote.rule_id)
    assert rule.business == business and rule.reason in (reason, "")


def test_charged_quote_note_names_the_amount():
    quote = fee_quote(business="reissue", reason="lost", fee_exempt=False)
    assert "20.00 元" in quote.note_zh and "补领" in quote.note_zh and "丢失" in quote.note_zh


@pytest.mark.parametrize("business, reason", [("reissue", "lost"), ("replace", "damaged")])
def test_exempt_person_pays_nothing(business, reason):
    quote = fee_quote(business=business, reason=reason, fee_exempt=True)
    assert quote.amount_fen == 0
    assert quote.exempt is True
    assert quote.rule_id == FeeRule.objects.get(business=business, reason=reason).pk
    assert "免" in quote.note_zh


def test_no_rule_means_free():
    cases = [("replace", "other"), ("reissue", "other"), ("cancel", ""), ("status_query", "")]
    for business, reason in cases:
        quote = fee_quote(business=business, reason=reason, fee_exempt=False)
        assert (quote.amount_fen, quote.rule_id, quote.exempt) == (0, None, False)
        assert "免费" in quote.note_zh


def test_amounts_are_data_edit_and_deactivate():
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    rule.amount_fen = 2500
    rule.save()
    assert fee_quote(business="reissue", reason="lost", fee_exempt=False).amount_fen == 2500
    general = FeeRule.objects.create(business="reissue", reason="", amount_fen=1000, note="其他补领")
    rule.is_active = False
    rule.save()
    quote = fee_quote(business="reissue", reason="lost", fee_exempt=False)
    assert (quote.amount_fen, quote.rule_id) == (1000, general.pk)


def test_format_yuan():
    assert [format_yuan(v) for v in (0, 5, 2000, 2550, -150)] == ["0.00", "0.05", "20.00", "25.50", "-1.50"]
