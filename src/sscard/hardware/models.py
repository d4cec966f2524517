"""The simulated chip store: what the chips of the cards made by the simulated printer hold.

Rule: the PIN is kept only as ``pin_hash`` (argon2id over a peppered HMAC, see ``pin_hashing``); it is
never stored, logged or raised in clear.  One row per card number.
"""

from django.db import models


class SimulatedChip(models.Model):
    card_no = models.CharField(max_length=32, unique=True)
    identification_code = models.CharField(max_length=32, blank=True)
    pin_hash = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "模拟芯片"

    def __str__(self) -> str:
        return f"SimulatedChip({self.card_no})"
