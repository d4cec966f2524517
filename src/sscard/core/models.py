"""Idempotency records: a repeated POST with the same Idempotency-Key has one effect."""

from django.db import models


class IdempotencyRecord(models.Model):
    principal = models.CharField("调用方", max_length=64, help_text="调用凭据的 SHA-256，不保存凭据本身")
    key = models.CharField("幂等键", max_length=100, help_text="请求头 Idempotency-Key 的值")
    method = models.CharField("请求方法", max_length=8)
    path = models.CharField("请求路径", max_length=300)
    body_hash = models.CharField("请求体摘要", max_length=64, help_text="请求体的 SHA-256；同键不同请求体将被拒绝")
    status_code = models.PositiveSmallIntegerField("响应状态码", help_text="0 表示首个请求尚在处理中")
    response_body = models.BinaryField("响应内容")
    content_type = models.CharField("响应内容类型", max_length=100)
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "幂等请求记录"
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_once")]
