"""Idempotency records: a repeated POST with the same Idempotency-Key has one effect."""

from django.db import models


class IdempotencyRecord(models.Model):
    principal = models.CharField(max_length=64)  # SHA-256 of the caller's credential
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.BinaryField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_once")]
