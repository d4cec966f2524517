"""The window reads an 电子社保卡 code the way a code scanner gives it (keystrokes into the focused field,
then Enter): the holder is identified, the look is in the access log, and the same code shown again is
refused; a kiosk voucher's number found the same way."""

import pytest
from playwright.sync_api import expect

from sscard.audit.models import AccessLogEntry
from sscard.cards.ecard import ecard_code_issue
from sscard.cards.models import EcardCodeUse
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _scan(page, text: str) -> None:
    field = page.get_by_label("电子社保卡码或自助一体机凭证号")
    field.click()
    page.keyboard.type(text)  # what a keyboard-wedge scanner does
    page.keyboard.press("Enter")


def test_the_window_reads_an_ecard_code_once(site, page):
    outlet = f.make_outlet()
    clerk = f.make_staff("clerk", outlet)
    person = f.make_person(name="郑十")
    card = f.make_card(person)
    code = ecard_code_issue(actor=Actor.for_citizen(f.make_citizen(person))).code  # shown in the app

    sign_in(page, site, clerk)
    _scan(page, code)
    panel = page.locator("#person-panel")
    expect(panel).to_contain_text("已通过电子社保卡识别办理人")
    expect(panel).to_contain_text(person.masked_id_number)
    expect(panel).to_contain_text(card.card_no)
    expect(page.get_by_label("电子社保卡码或自助一体机凭证号")).to_have_value("")  # ready for the next scan
    assert person.id_number not in page.content()
    entry = AccessLogEntry.objects.get(operation="ecard.code_verify")
    assert (entry.person_id, entry.card_ids, entry.actor_id, entry.channel, entry.outlet_id) == (
        person.pk, [card.pk], clerk.pk, "window", outlet.pk)
    assert EcardCodeUse.objects.get().card_id == card.pk
    assert serious_violations(page) == []
    screenshot(page, "window-ecard-identified")

    _scan(page, code)  # the same code again: a replay
    expect(panel.locator("[data-scan-refused]")).to_have_attribute("data-scan-refused", "ECARD_CODE_USED")
    expect(panel).not_to_contain_text(person.masked_id_number)
    assert AccessLogEntry.objects.filter(operation="ecard.code_verify").count() == 1
    assert serious_violations(page) == []
    screenshot(page, "window-ecard-replayed")


def test_the_window_reads_a_kiosk_voucher_number(site, page):
    outlet = f.make_outlet()
    clerk = f.make_staff("clerk", outlet)
    person = f.make_person(name="王十一")
    now = clock.now()
    req = ServiceRequest.objects.create(
        request_no="YW2026030200000009", business="apply", channel="kiosk", applicant=person, outlet=outlet,
        status="awaiting_voucher", voucher_no="PZ2026030200000009", created_at=now, updated_at=now)

    sign_in(page, site, clerk)
    _scan(page, req.voucher_no)
    panel = page.locator("#person-panel")
    expect(panel).to_contain_text("已通过自助一体机凭证识别办理人")
    panel.get_by_role("link", name=f"查看凭证对应的业务 {req.request_no}").click()
    expect(page).to_have_url(f"{site}/window/requests/{req.request_no}/")
    assert serious_violations(page) == []
