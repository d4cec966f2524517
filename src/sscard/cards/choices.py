from django.db import models


class CardState(models.TextChoices):
    """Card states, with the AAZ502 code used across vendors' systems kept in ``AAZ502``."""

    MADE = "made", "已制卡未启用"
    ACTIVE = "active", "正常"
    LOST = "lost", "正式挂失"
    LOCKED = "locked", "应用锁定"
    LOST_TEMP = "lost_temp", "临时挂失"
    CANCELLED = "cancelled", "注销"
    REPLACED = "replaced", "已换卡（旧卡终止）"
    PRODUCED = "produced", "补换新卡已制成待领取"


AAZ502 = {
    CardState.MADE: "0",
    CardState.ACTIVE: "1",
    CardState.LOST: "2",
    CardState.LOCKED: "3",
    CardState.LOST_TEMP: "4",
    CardState.CANCELLED: "9",
    CardState.REPLACED: "9",
    CardState.PRODUCED: "0",
}

# A replacement card made while the holder still uses the old one (``produced``) is not live: the old
# card stays in use until the new one is handed over (seed: 现场制卡，激活社保功能并发放).
LIVE_STATES = (CardState.MADE, CardState.ACTIVE, CardState.LOST, CardState.LOCKED, CardState.LOST_TEMP)


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
