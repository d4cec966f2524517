"""Cards and their state-change log.

A person has at most one live card (made, active, locked or lost): the partial unique constraint holds
that even under concurrent requests.  Issuing a new card ends the old one (state ``replaced``) in the
same transaction.  The PIN is never here: it lives on the chip (see ``sscard.hardware``); only the
count of wrong attempts is kept, updated atomically.
"""

from django.db import models
from django.db.models import Q

from sscard.cards.choices import AAZ502, LIVE_STATES, CardState


class Card(models.Model):
    card_no = models.CharField("社会保障卡号", max_length=9, unique=True)
    identification_code = models.CharField("卡识别码", max_length=32, blank=True, help_text="芯片中的卡识别码")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cards",
                               verbose_name="持卡人")
    state = models.CharField("卡状态", max_length=16, choices=CardState.choices, default=CardState.MADE)
    state_changed_at = models.DateTimeField("状态变更时间")
    origin_channel = models.CharField("申办渠道", max_length=16)
    origin_request = models.ForeignKey("desk.ServiceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", verbose_name="申办业务")
    made_at = models.DateTimeField("制卡时间")
    issued_at = models.DateTimeField("发卡时间", null=True, blank=True)
    issued_outlet = models.ForeignKey("staff.Outlet", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="发卡网点")
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    pin_failures = models.PositiveSmallIntegerField("密码连续错误次数", default=0, help_text="达到上限时应用锁定")
    temp_loss_expires_at = models.DateTimeField("临时挂失到期时间", null=True, blank=True,
                                                help_text="到期未转正式挂失则自动解除")
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="替换后的新卡")

    class Meta:
        verbose_name = verbose_name_plural = "社会保障卡"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state__in=list(LIVE_STATES)),
                                    name="one_live_card_per_person"),
        ]
        # the lapse sweep's work list, read in id order (keyset): only the cards in temporary loss
        indexes = [models.Index(fields=["id"], condition=Q(state=CardState.LOST_TEMP),
                                name="card_lost_temp_by_id")]

    def __str__(self):
        return self.card_no

    @property
    def aaz502(self) -> str:
        return AAZ502[self.state]


class CardStateChange(models.Model):
    """Every card transition, so withdraw / unlock / rollback can restore the state it came from."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="changes", verbose_name="社会保障卡")
    event = models.CharField("事件", max_length=20)
    from_state = models.CharField("原状态", max_length=16)
    to_state = models.CharField("新状态", max_length=16)
    at = models.DateTimeField("变更时间")
    request = models.ForeignKey("desk.ServiceRequest", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name="业务")
    rolled_back = models.BooleanField("已回退", default=False,
                                      help_text="被“回退”业务撤销的变更（及回退本身），不再作为恢复此前状态的依据")

    class Meta:
        ordering = ["id"]
        verbose_name = verbose_name_plural = "卡状态变更记录"
        indexes = [models.Index(fields=["card", "-id"])]


class EcardCodeUse(models.Model):
    """One use of an 电子社保卡 code (``cards.ecard``): its nonce, once.  The unique nonce refuses a second
    use of the same code in any process (the replay guard); rows past ``expires_at`` guard nothing (the
    code is refused as expired anyway) and ``ecard_code_uses_purge`` deletes them.  No personal data: the
    card's row, the channel and outlet that read it."""

    nonce = models.CharField("随机数", max_length=32, unique=True)
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="+", verbose_name="社会保障卡")
    used_at = models.DateTimeField("使用时间")
    expires_at = models.DateTimeField("码失效时间", db_index=True)
    channel = models.CharField("使用渠道", max_length=16)
    outlet_id = models.IntegerField("使用网点", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "电子社保卡码使用记录"
