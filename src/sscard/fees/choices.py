"""Vocabulary of fees."""

from django.db import models


class PaymentMethod(models.TextChoices):
    PAID = "paid", "缴费"
    OFFSET = "offset", "抵扣"
