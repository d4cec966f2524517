"""Vocabulary of the working-day calendar."""

from django.db import models


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班"


class YearSource(models.TextChoices):
    CHINESECALENDAR = "chinesecalendar", "chinesecalendar 数据包"
    FILE = "file", "国务院办公厅通知（文件导入）"
    ADMIN = "admin", "管理员确认"
