"""The simulated chip store: what the chips of the cards made by the simulated printer hold.

Rule: the PIN is kept only as ``pin_hash`` (argon2id over a peppered HMAC, see ``pin_hashing``); it is
never stored, logged or raised in clear.  One row per card number.
"""

from django.db import models


class SimulatedChip(models.Model):
    card_no = models.CharField("社会保障卡号", max_length=32, unique=True)
    identification_code = models.CharField("卡识别码", max_length=32, blank=True)
    pin_hash = models.CharField("密码哈希", max_length=255, blank=True,
                                help_text="密码经 HMAC（密钥不在数据库中）后的 argon2id 哈希，从不保存明文")
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = verbose_name_plural = "模拟芯片"

    def __str__(self) -> str:
        return f"SimulatedChip({self.card_no})"
