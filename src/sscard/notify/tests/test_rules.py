"""The texts (masked, only what the reader needs), the event key and the retry schedule."""

import datetime as dt

import pytest

from sscard.notify.choices import MessageKind
from sscard.notify.rules import TEMPLATES, event_key, render, retry_delay

CST = dt.timezone(dt.timedelta(hours=8))


def test_every_kind_has_a_template():
    assert set(TEMPLATES) == set(MessageKind)


def test_loss_texts_mask_the_name_and_card_and_tell_the_temporary_lapse():
    at = dt.datetime(2026, 3, 2, 2, 5, tzinfo=dt.UTC)
    formal = render(MessageKind.LOSS_REPORTED, {"name": "王小二", "card_no": "B12345678", "at": at, "until": None})
    assert formal == ("【重庆社保卡】王**，您好：您的社会保障卡（卡号B*****678）已于2026年3月2日10:05办理正式挂失，"
                      "挂失后该卡不能使用，可办理解挂或补卡。如非本人办理，请立即拨打12333。")
    temp = render(MessageKind.LOSS_REPORTED, {"name": "王小二", "card_no": "B12345678", "at": at,
                                              "until": at + dt.timedelta(days=15)})
    assert "办理临时挂失，有效至2026年3月17日10:05" in temp and "王小二" not in temp and "12345678" not in temp


def test_card_ready_and_batch_texts():
    ready = render(MessageKind.CARD_READY, {"name": "李四", "request_no": "R1", "outlet": "渝中区社保卡服务网点"})
    assert ready == ("【重庆社保卡】李*，您好：您办理的社会保障卡（业务编号R1）已制作完成，"
                     "请携带本人有效身份证件到渝中区社保卡服务网点领取。")
    base = {"employer": "重庆测试科技有限公司", "batch_no": "P1", "outlet": "渝中网点"}
    clean = render(MessageKind.BATCH_VALIDATED, {**base, "accepted": 3, "refused": 0})
    assert clean.endswith("受理3人，未通过0人。")
    some = render(MessageKind.BATCH_VALIDATED, {**base, "accepted": 3, "refused": 2})
    assert some.endswith("未通过2人。未通过人员的明细请经办人到渝中网点查询。")
    assert "未通过文件校验" in render(MessageKind.BATCH_FAILED, base)
    assert "的5张社会保障卡已到达渝中网点" in render(MessageKind.BATCH_CARDS_ARRIVED, {**base, "count": 5})


def test_an_unknown_kind_is_not_rendered():
    with pytest.raises(ValueError):
        render("birthday", {})


def test_event_key_is_one_per_kind_and_subject():
    assert event_key("card_ready", "service_request", "R1") == "card_ready:service_request:R1"
    assert event_key("card_ready", "service_request", "R1") != event_key("loss_reported", "service_request", "R1")


def test_retry_delay_doubles_from_30_seconds_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20) == dt.timedelta(hours=1)
