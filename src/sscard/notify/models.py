"""The notification outbox, and the simulated SMS gateway's delivery record.

``OutboxMessage`` is written by ``services.notify_enqueue`` inside the business's own transaction (a
rollback leaves no message) and sent later by the relay (``relay``), which alone moves its state:
``pending`` -> ``sending`` (claimed, committed before the gateway call) -> ``sent``; a failed attempt goes
back to ``pending`` with a later ``next_attempt_at`` (backoff), and to ``failed`` when it cannot succeed.
The recipient is a person (the holder, or an employer's handler): the phone is never copied here, it is
read and decrypted when the message is sent.  ``idempotency_key`` is unique per business event (a second
enqueue of the same event adds nothing) and is the client message id the gateway deduplicates by.
"""

from django.db import models
from django.db.models import Q

from sscard.notify.choices import MessageKind, MessageState, Recipient


class OutboxMessage(models.Model):
    kind = models.CharField("通知类别", max_length=24, choices=MessageKind.choices)
    recipient = models.CharField("接收人身份", max_length=20, choices=Recipient.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+",
                               verbose_name="接收人", help_text="发送时读取并解密其手机号码，发件箱不保存号码")
    subject_type = models.CharField("业务对象类型", max_length=24)
    subject_id = models.CharField("业务对象编号", max_length=40)
    text = models.TextField("短信内容", help_text="已脱敏：只含短信所需内容")
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True,
                                       help_text="每个业务事件唯一；作为客户端消息编号交给短信网关去重")
    state = models.CharField("状态", max_length=8, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    next_attempt_at = models.DateTimeField("下次发送时间")
    # the claim of the relay sending it now: another relay may take the message over after claimed_until
    claim_token = models.CharField("领取标记", max_length=32, blank=True)
    claimed_until = models.DateTimeField("领取有效至", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=120, blank=True, help_text="错误代码，不含个人信息")
    gateway_message_id = models.CharField("网关消息编号", max_length=64, blank=True)
    created_at = models.DateTimeField("生成时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "短信发件箱"
        indexes = [
            # the relay's work list: due pending messages, and sending ones whose claim may have lapsed
            models.Index(fields=["next_attempt_at", "id"], name="notify_due",
                         condition=Q(state__in=[MessageState.PENDING, MessageState.SENDING])),
            models.Index(fields=["state", "kind"], name="notify_state_kind"),
            models.Index(fields=["subject_type", "subject_id"], name="notify_subject"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id}"


class SimulatedSms(models.Model):
    """What the simulated gateway (demo and tests) delivered: one row per client message id, however often
    it was sent, like a real gateway's deduplication.  The phone is kept as its keyed hash only."""

    client_msg_id = models.CharField("客户端消息编号", max_length=80, unique=True)
    phone_hash = models.CharField("手机号码索引", max_length=64)
    text = models.TextField("短信内容")
    calls = models.PositiveIntegerField("收到发送请求次数", default=1)
    delivered_at = models.DateTimeField("送达时间")

    class Meta:
        verbose_name = verbose_name_plural = "模拟短信网关送达记录"
