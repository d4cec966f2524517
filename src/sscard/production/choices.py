"""Vocabulary of central production: stages of an order and of each of its items."""

from django.db import models


class ItemStage(models.TextChoices):
    GENERATED = "generated", "已产生制卡数据"
    BANK_SENT = "bank_sent", "已报送银行开户"
    BANK_OPENED = "bank_opened", "银行开户成功"
    VENDOR_SENT = "vendor_sent", "制卡中"
    MADE = "made", "制卡完成"
    IN_TRANSIT = "in_transit", "配送至网点中"
    READY = "ready", "待领取"
    PICKED_UP = "picked_up", "已领取"
    FAILED = "failed", "制卡失败"
    REMOVED = "removed", "已转零星办理"


class ItemEvent(models.TextChoices):
    SEND_BANK = "send_bank", "报送银行开户"
    BANK_OK = "bank_ok", "银行开户成功"
    BANK_FAIL = "bank_fail", "银行开户失败"
    SEND_VENDOR = "send_vendor", "报送制卡"
    VENDOR_OK = "vendor_ok", "制卡成功"
    VENDOR_FAIL = "vendor_fail", "制卡失败"
    SHIP = "ship", "发往网点"
    ARRIVE = "arrive", "网点签收"
    PICK_UP = "pick_up", "单位领取"
    CONVERT = "convert", "批量转零星"


class FailureStage(models.TextChoices):
    BANK = "bank", "银行开户"
    VENDOR = "vendor", "卡商制卡"


class OrderStage(models.TextChoices):
    GENERATED = "generated", "已生成"
    BANK_SENT = "bank_sent", "已报送银行"
    BANK_DONE = "bank_done", "银行已回盘"
    VENDOR_SENT = "vendor_sent", "已报送卡商"
    VENDOR_DONE = "vendor_done", "卡商已回盘"
    IN_TRANSIT = "in_transit", "配送至网点中"
    ARRIVED = "arrived", "网点已签收"
    CLOSED = "closed", "已结束"
