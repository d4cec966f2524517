from django.db import models


class RequestStatus(models.TextChoices):
    PENDING_REVIEW = "pending_review", "待审核"
    AWAITING_VOUCHER = "awaiting_voucher", "待持凭证到窗口"
    AWAITING_SIGNATURE = "awaiting_signature", "待签字表单回收"
    AWAITING_FEE = "awaiting_fee", "待缴费或抵扣"
    IN_PRODUCTION = "in_production", "制卡中"
    READY_FOR_PICKUP = "ready_for_pickup", "待领取"
    IN_TRANSIT = "in_transit", "邮寄中"
    COMPLETED = "completed", "已办结"
    REJECTED = "rejected", "审核不通过"
    VOIDED = "voided", "已作废"


class RequestEvent(models.TextChoices):
    SUBMIT = "submit", "提交"
    APPROVE = "approve", "审核通过"
    REJECT = "reject", "审核不通过"
    PRESENT_VOUCHER = "present_voucher", "窗口收取凭证"
    RECORD_SIGNED_FORM = "record_signed_form", "签字表单留存"
    SETTLE_FEE = "settle_fee", "费用清缴或抵扣"
    FINISH_PRODUCTION = "finish_production", "制卡完成"
    DISPATCH = "dispatch", "邮寄发出"
    HAND_OVER = "hand_over", "领取发放"
    DELIVER = "deliver", "邮寄签收"
    VOID = "void", "作废"


class Step(models.TextChoices):
    """Steps that must be cleared, in order, before a production business takes effect."""

    REVIEW = "review", "审核"
    VOUCHER = "voucher", "凭证到窗口"
    SIGNATURE = "signature", "纸质表单签字"
    FEE = "fee", "费用清缴或抵扣"


STEP_STATUS = {
    Step.REVIEW: RequestStatus.PENDING_REVIEW,
    Step.VOUCHER: RequestStatus.AWAITING_VOUCHER,
    Step.SIGNATURE: RequestStatus.AWAITING_SIGNATURE,
    Step.FEE: RequestStatus.AWAITING_FEE,
}


class ProductionMode(models.TextChoices):
    INSTANT = "instant", "现场制卡"
    DEFERRED = "deferred", "设备或网络故障，24小时内制卡"
    CENTRAL = "central", "集中制卡（网上申办，5个工作日）"
    BATCH = "batch", "单位批量集中制卡（10个工作日）"
    NONE = "none", "无需制卡"


class Delivery(models.TextChoices):
    COUNTER = "counter", "窗口现场发放"
    PICKUP = "pickup", "网点自取"
    POST = "post", "邮寄到家"
    NONE = "none", "无"


class EvaluationLevel(models.IntegerChoices):
    """好差评 (国办发〔2019〕51号): five levels; 不满意 and 非常不满意 are bad ratings."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVELS = frozenset({EvaluationLevel.DISSATISFIED, EvaluationLevel.VERY_DISSATISFIED})


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待整改"
    CLOSED = "closed", "已整改"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "等候中"
    CALLED = "called", "已叫号"
    SKIPPED = "skipped", "过号"
    DONE = "done", "已办理"


class ReviewItem(models.TextChoices):
    """What a review refusal concerns (审核不通过所涉及的项目): an uploaded image or a field of the typed data,
    so the applicant is told exactly what to correct."""

    PHOTO = "photo", "登记照"
    APPLICANT_DOC_IMAGE = "applicant_doc_image", "申办人身份证明图片"
    AGENT_DOC_IMAGE = "agent_doc_image", "代办人身份证明图片"
    APPLICANT_NAME = "applicant_name", "申办人姓名"
    APPLICANT_ID_NUMBER = "applicant_id_number", "申办人证件号码"
    APPLICANT_BIRTH_DATE = "applicant_birth_date", "申办人出生日期"
    APPLICANT_PHONE = "applicant_phone", "联系电话"
    APPLICANT_ADDRESS = "applicant_address", "居住地址"
    DELIVERY_ADDRESS = "delivery_address", "邮寄地址"
    AGENT_NAME = "agent_name", "代办人姓名"
    AGENT_ID_NUMBER = "agent_id_number", "代办人证件号码"
    OTHER = "other", "其他（见原因说明）"


class ReviewTab(models.TextChoices):
    """The review queue's tabs, by request status (``desk.rules.REVIEW_TAB_STATUSES``)."""

    PENDING = "pending", "待审"
    REJECTED = "rejected", "已退回"
    APPROVED = "approved", "已通过"


class Urgency(models.TextChoices):
    """How close a case is to its due date (``desk.rules.urgency``)."""

    OVERDUE = "overdue", "已超期"
    DUE_TODAY = "due_today", "今日到期"
    LATER = "later", "未到期"


class WorkItemState(models.TextChoices):
    """A 12333 work item to an outlet (工单转办): the state table is ``desk.rules.WORK_ITEM_TRANSITIONS``."""

    OPEN = "open", "待受理"
    ACCEPTED = "accepted", "已受理"
    CLOSED = "closed", "已办结"
    CANCELLED = "cancelled", "已撤销"


class WorkItemEvent(models.TextChoices):
    ACCEPT = "accept", "网点受理"
    CLOSE = "close", "网点办结"
    CANCEL = "cancel", "撤销"
