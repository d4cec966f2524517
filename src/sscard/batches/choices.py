"""Vocabulary of employer batches: routes, batch states and events, row outcomes and events."""

from django.db import models


class Route(models.TextChoices):
    FILE = "file", "报盘文件"
    PAPER = "paper", "纸质材料（窗口录入）"


class BatchStatus(models.TextChoices):
    QUEUED = "queued", "待校验"
    VALIDATING = "validating", "校验中"
    VALIDATED = "validated", "校验完成"
    FAILED = "failed", "文件无法处理"


class BatchEvent(models.TextChoices):
    START = "start", "开始校验"
    FINISH = "finish", "校验完成"
    FAIL = "fail", "文件无法处理"


class RowEvent(models.TextChoices):
    CONVERT = "convert", "转零星办理"


class RowStatus(models.TextChoices):
    ACCEPTED = "accepted", "已受理"
    REFUSED = "refused", "未通过"
    CONVERTED = "converted", "已转零星办理"
