"""Pure rules of notifications: the texts (rendered once, at enqueue, masked), the idempotency key of a
business event, and the retry schedule.  No database.

A text carries only what its reader needs to act: a masked name and card number, the outlet, a request or
batch number and counts; never an ID number, a phone number or an address.
"""

import datetime as dt

from django.utils import timezone

from sscard.core.masking import mask_card_no, mask_name
from sscard.notify.choices import MessageKind

SIGNATURE = "【重庆社保卡】"
BACKOFF_FIRST_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def _when(at: dt.datetime) -> str:
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def _card_ready(p: dict) -> str:
    return (f"{mask_name(p['name'])}，您好：您办理的社会保障卡（业务编号{p['request_no']}）已制作完成，"
            f"请携带本人有效身份证件到{p['outlet']}领取。")


def _loss_reported(p: dict) -> str:
    head = f"{mask_name(p['name'])}，您好：您的社会保障卡（卡号{mask_card_no(p['card_no'])}）已于{_when(p['at'])}"
    if p.get("until"):
        tail = (f"办理临时挂失，有效至{_when(p['until'])}，请在此前到服务窗口、自助一体机或“重庆人社”APP"
                "办理正式挂失。")
    else:
        tail = "办理正式挂失，挂失后该卡不能使用，可办理解挂或补卡。"
    return head + tail + "如非本人办理，请立即拨打12333。"


def _batch_validated(p: dict) -> str:
    text = (f"{p['employer']}：批量申领批次{p['batch_no']}已校验完成，受理{p['accepted']}人，"
            f"未通过{p['refused']}人。")
    if p["refused"]:
        text += f"未通过人员的明细请经办人到{p['outlet']}查询。"
    return text


def _batch_failed(p: dict) -> str:
    return (f"{p['employer']}：批量申领批次{p['batch_no']}未通过文件校验，未受理任何人员，"
            f"请经办人到{p['outlet']}查看原因，修改后重新提交。")


def _batch_cards_arrived(p: dict) -> str:
    return (f"{p['employer']}：批量申领批次{p['batch_no']}的{p['count']}张社会保障卡已到达{p['outlet']}，"
            "请经办人携带本人身份证件前往领取。")


TEMPLATES = {
    MessageKind.CARD_READY: _card_ready,
    MessageKind.LOSS_REPORTED: _loss_reported,
    MessageKind.BATCH_VALIDATED: _batch_validated,
    MessageKind.BATCH_FAILED: _batch_failed,
    MessageKind.BATCH_CARDS_ARRIVED: _batch_cards_arrived,
}


def render(kind: str, params: dict) -> str:
    """The SMS text of ``kind`` (signature first), masked; ``params`` as each template names them."""
    return SIGNATURE + TEMPLATES[MessageKind(kind)](params)


def event_key(kind: str, subject_type: str, subject_id: str) -> str:
    """One key per business event: a kind happens once to its subject (a request finishes production
    once, a loss report is its own request, a batch is validated once, an order arrives once)."""
    return f"{kind}:{subject_type}:{subject_id}"


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: 30 s, doubling, at most an hour."""
    seconds = BACKOFF_FIRST_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))
