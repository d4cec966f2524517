from django.db import models


class StaffRole(models.TextChoices):
    CLERK = "clerk", "窗口经办员"
    REVIEWER = "reviewer", "审核员"
    SUPERVISOR = "supervisor", "主管"
    AUDITOR = "auditor", "审计员"
    HOTLINE = "hotline", "12333话务员"
    ADMIN = "admin", "系统管理员"


class OutletLevel(models.TextChoices):
    DISTRICT = "district", "区县"
    TOWNSHIP = "township", "乡镇（街道）"


class DeviceStatus(models.TextChoices):
    WORKING = "working", "正常"
    DEVICE_FAILED = "device_failed", "设备故障"
    NETWORK_FAILED = "network_failed", "网络故障"
