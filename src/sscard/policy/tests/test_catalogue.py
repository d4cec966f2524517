import pytest

from sscard.core.errors import Refused
from sscard.policy.catalogue import CatalogueError, get_catalogue, parse_catalogue
from sscard.policy.choices import Business
from sscard.policy.rules import Materials, check_business, check_card_state, check_reason, resolve_cell


def test_every_business_is_catalogued():
    assert set(get_catalogue().businesses) == set(Business.values)


def test_app_refuses_an_agent_applying_for_an_adult():
    with pytest.raises(Refused) as exc:
        resolve_cell("apply", "app", "proxy_adult")
    assert exc.value.code == "ROLE_NOT_ALLOWED"
    assert "暂不支持为成年人代办" in exc.value.message
    assert "规程·社保卡申领" in exc.value.rule


def test_business_not_on_a_channel_names_both():
    with pytest.raises(Refused) as exc:
        resolve_cell("info_change", "kiosk", "self")
    assert exc.value.code == "BUSINESS_NOT_ON_CHANNEL"
    assert exc.value.message == "社保卡信息变更不能通过自助一体机办理"


def test_missing_agent_document_is_named():
    with pytest.raises(Refused) as exc:
        check_business(business="apply", channel="window", role="proxy_minor",
                       materials=Materials(applicant_doc="hukou"))
    assert exc.value.code == "MATERIAL_AGENT_DOC_MISSING"
    assert "居民身份证" in exc.value.message and "社会保障卡" in exc.value.message


def test_document_not_accepted_is_named():
    with pytest.raises(Refused) as exc:
        check_business(business="apply", channel="window", role="self", materials=Materials(applicant_doc="hukou", photo=True))
    assert exc.value.code == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert exc.value.message.startswith("户口簿不能作为本业务申办人的身份凭证")


def test_photo_rules():
    with pytest.raises(Refused) as exc:
        check_business(business="apply", channel="window", role="self", materials=Materials(applicant_doc="id_card"))
    assert exc.value.code == "MATERIAL_PHOTO_MISSING"
    # optional for a minor by agent
    check_business(business="apply", channel="window", role="proxy_minor",
                   materials=Materials(applicant_doc="hukou", agent_doc="ss_card"))
    # only when the photo changes for a reissue
    check_business(business="reissue", channel="window", role="self", materials=Materials(applicant_doc="ss_card"))
    with pytest.raises(Refused):
        check_business(business="reissue", channel="window", role="self",
                       materials=Materials(applicant_doc="ss_card", photo_changed=True))


def test_pin_change_is_self_only_and_loss_withdraw_inherits_report_cells():
    for channel in ("window", "kiosk"):
        with pytest.raises(Refused, match="密码修改只允许本人办理"):
            resolve_cell("pin_change", channel, "proxy_adult")
    assert resolve_cell("loss_withdraw", "app", "self").evidence == "account"
    with pytest.raises(Refused):
        resolve_cell("loss_withdraw", "phone", "self")


def test_card_state_and_reason_checks():
    with pytest.raises(Refused) as exc:
        check_card_state("pin_change", "lost", "正式挂失")
    assert exc.value.code == "CARD_STATE_NOT_ALLOWED"
    check_reason("reissue", "lost")
    with pytest.raises(Refused) as exc:
        check_reason("renew", "lost")
    assert exc.value.code == "REASON_NOT_ALLOWED"


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d["apply"]["window"].update({"desk": {}}), "unknown role"),
    (lambda d: d["apply"].update({"fax": {}}), "unknown channel"),
    (lambda d: d["apply"]["window"]["self"].update({"applicant": ["library_card"]}), "unknown document"),
    (lambda d: d["apply"]["app"]["proxy_adult"].pop("reason"), "needs a reason"),
    (lambda d: d["apply"]["window"]["proxy_adult"].pop("agent"), "agent documents"),
    (lambda d: d.pop("unlock"), "missing"),
    (lambda d: d["pin_change"].update({"card_states": ["actve"]}), "card_states: unknown"),
    (lambda d: d["renew"].update({"reasons": ["stolen"]}), "reasons: unknown"),
    (lambda d: d["activate"]["window"]["self"].update({"archive_when": "always"}), "archive_when"),
    (lambda d: d["settings"].pop("temp_loss_lapse_days"), "temp_loss_lapse_days"),
    (lambda d: d["settings"].update({"pin_max_wrong_attempts": "3"}), "pin_max_wrong_attempts"),
    (lambda d: d["settings"].update({"reversible_events": ["undo_everything"]}), "reversible_events"),
    (lambda d: d["settings"].pop("work_item_categories"), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_categories": []}), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_categories": ["投诉", "投诉"]}), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_categories": ["预约办理", 3]}), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_categories": [" 预约办理"]}), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_categories": ["长" * 21]}), "work_item_categories"),
    (lambda d: d["settings"].update({"work_item_due_working_days": 0}), "work_item_due_working_days"),
    (lambda d: d["settings"].update({"work_item_due_working_days": 2.5}), "work_item_due_working_days"),
    (lambda d: d["settings"].update({"work_item_due_working_days": True}), "work_item_due_working_days"),
])
def test_loader_refuses_typos(mutation, message):
    import copy
    import tomllib

    from sscard.policy.catalogue import DEFAULT_PATH

    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    mutation(data)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(data)


def test_the_application_is_for_a_person_without_a_card_in_use():
    apply = get_catalogue().business("apply")
    assert apply.requires_no_card and apply.card_states == ()
    assert apply.admits(None) and not apply.admits("active") and not apply.admits("lost")
    activate = get_catalogue().business("activate")  # card_states: only on a card in one of them
    assert activate.admits("made") and not activate.admits("active") and not activate.admits(None)
    status = get_catalogue().business("status_query")  # neither: whatever the card
    assert status.admits(None) and status.admits("lost")


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d["apply"].update({"requires_no_card": "yes"}), "requires_no_card must be true or false"),
    (lambda d: d["apply"].update({"card_states": ["active"]}), "exclude each other"),
])
def test_loader_refuses_a_wrong_no_card_rule(mutation, message):
    test_loader_refuses_typos(mutation, message)

