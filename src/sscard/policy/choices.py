"""Vocabulary of the procedure (PROCEDURE.md): channels, applicant roles, businesses, documents."""

from django.db import models


class Channel(models.TextChoices):
    WINDOW = "window", "服务窗口"
    KIOSK = "kiosk", "自助一体机"
    APP = "app", "重庆人社APP"
    PHONE = "phone", "12333电话"
    BACK_OFFICE = "back_office", "后台"
    SYSTEM = "system", "系统"


class ApplicantRole(models.TextChoices):
    SELF = "self", "本人"
    PROXY_ADULT = "proxy_adult", "他人代办（成年人）"
    PROXY_MINOR = "proxy_minor", "他人代办（未成年人）"
    UNIT = "unit", "单位批量"


class Business(models.TextChoices):
    APPLY = "apply", "社保卡申领"
    ACTIVATE = "activate", "社保卡启用（激活）"
    REISSUE = "reissue", "社保卡补领"
    REPLACE = "replace", "社保卡换领"
    RENEW = "renew", "社保卡换发"
    INFO_CHANGE = "info_change", "社保卡信息变更"
    PIN_CHANGE = "pin_change", "社保卡密码修改"
    PIN_RESET = "pin_reset", "社保卡密码重置"
    LOSS_REPORT = "loss_report", "社保卡挂失"
    LOSS_WITHDRAW = "loss_withdraw", "社保卡解挂"
    UNLOCK = "unlock", "社保卡解锁"
    STATUS_QUERY = "status_query", "社保卡应用状态查询"
    CANCEL = "cancel", "社保卡注销"
    ROLLBACK = "rollback", "社保卡回退"


class DocType(models.TextChoices):
    ID_CARD = "id_card", "居民身份证"
    HMT_PERMIT = "hmt_permit", "港澳台居民来往内地通行证"
    PASSPORT = "passport", "护照"
    OFFICER_CARD = "officer_card", "军官证"
    HUKOU = "hukou", "户口簿"
    SS_CARD = "ss_card", "社会保障卡"
    FOREIGNER_PR = "foreigner_pr", "外国人永久居留身份证"


class PhotoRule(models.TextChoices):
    REQUIRED = "required", "必须提供"
    OPTIONAL = "optional", "凭本人意愿提供"
    ON_CHANGE = "on_change", "更换照片时提供"
    NONE = "none", "无需照片"


class CardReason(models.TextChoices):
    """Why a card is reissued (补领), replaced (换领) or renewed (换发)."""

    LOST = "lost", "丢失"
    DAMAGED = "damaged", "损坏"
    QUALITY_DEFECT = "quality_defect", "质量问题"
    INFO_CHANGE = "info_change", "信息变更"
    EXPIRED = "expired", "到期"
    OTHER = "other", "其他"


class CardState(models.TextChoices):
    """Card states (the AAZ502 code used across vendors' systems is ``cards.choices.AAZ502``)."""

    MADE = "made", "已制卡未启用"
    ACTIVE = "active", "正常"
    LOST = "lost", "正式挂失"
    LOCKED = "locked", "应用锁定"
    LOST_TEMP = "lost_temp", "临时挂失"
    CANCELLED = "cancelled", "注销"
    REPLACED = "replaced", "已换卡（旧卡终止）"
    PRODUCED = "produced", "补换新卡已制成待领取"


class CardEvent(models.TextChoices):
    ACTIVATE = "activate", "启用"
    REPORT_LOSS_TEMP = "report_loss_temp", "临时挂失"
    REPORT_LOSS = "report_loss", "正式挂失"
    CONFIRM_LOSS = "confirm_loss", "临时挂失转正式挂失"
    LAPSE_LOSS = "lapse_loss", "临时挂失到期自动解除"
    WITHDRAW_LOSS = "withdraw_loss", "解挂"
    LOCK = "lock", "密码错误次数超限锁定"
    UNLOCK = "unlock", "解锁"
    CANCEL = "cancel", "注销"
    REPLACE = "replace", "新卡发放，旧卡终止"
    ROLLBACK = "rollback", "回退"
    ISSUE = "issue", "补换新卡发放并启用"
    ISSUE_PENDING = "issue_pending", "批量补换新卡领取（96小时后启用）"
