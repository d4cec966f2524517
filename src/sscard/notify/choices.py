"""Vocabulary of notifications: what a message tells, who receives it, where it is in its delivery."""

from django.db import models


class MessageKind(models.TextChoices):
    CARD_READY = "card_ready", "社保卡制成待领取"
    LOSS_REPORTED = "loss_reported", "社保卡已挂失"
    BATCH_VALIDATED = "batch_validated", "批量申领校验完成"
    BATCH_FAILED = "batch_failed", "批量申领未通过文件校验"
    BATCH_CARDS_ARRIVED = "batch_cards_arrived", "批量制卡已到达网点"


class Recipient(models.TextChoices):
    """The role the person receives the message in (the person is the link; the phone is read at send
    time)."""

    HOLDER = "holder", "持卡人（申领人）"
    EMPLOYER_HANDLER = "employer_handler", "单位经办人"


class MessageState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
