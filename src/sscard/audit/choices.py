"""Every kind of audit event, in one place: past tense, named for what happened to what.

``audit_record`` refuses a type that is not here, so the trail never holds a type nobody defined, and
auditors and pages can label every event.  A state machine's events map onto these in its own module
(``cards.services.EVENT_AUDIT``, ``desk.services.AUDIT``, ``batches.states.AUDIT``,
``production.services.ORDER_AUDIT``).
"""

from django.db import models


class AuditEventType(models.TextChoices):
    # sign-in and devices
    STAFF_SIGNED_IN = "STAFF_SIGNED_IN", "工作人员登录"
    STAFF_SIGNED_OUT = "STAFF_SIGNED_OUT", "工作人员退出登录"
    CITIZEN_SIGNED_IN = "CITIZEN_SIGNED_IN", "APP用户登录"
    KIOSK_TOKEN_ISSUED = "KIOSK_TOKEN_ISSUED", "自助一体机凭据签发"
    # sign-in hardening (sscard.staff.services / tokens / accounts)
    SIGN_IN_FAILED = "SIGN_IN_FAILED", "登录失败"
    SIGN_IN_LOCKED_OUT = "SIGN_IN_LOCKED_OUT", "登录已锁定"
    API_TOKEN_REVOKED = "API_TOKEN_REVOKED", "接口令牌吊销"
    KIOSK_TOKEN_ROTATED = "KIOSK_TOKEN_ROTATED", "自助一体机凭据轮换"
    ACCOUNT_DISABLED = "ACCOUNT_DISABLED", "账户停用"
    OUTLET_ISSUANCE_STATUS_CHANGED = "OUTLET_ISSUANCE_STATUS_CHANGED", "网点制卡设备状态变更"
    # configuration (admin) and operator commands
    CONFIG_ADDED = "CONFIG_ADDED", "配置新增"
    CONFIG_CHANGED = "CONFIG_CHANGED", "配置修改"
    CONFIG_DELETED = "CONFIG_DELETED", "配置删除"
    CALENDAR_IMPORTED = "CALENDAR_IMPORTED", "节假日导入"
    DEMO_DATA_LOADED = "DEMO_DATA_LOADED", "演示数据载入"
    NOTIFICATIONS_RETRIED = "NOTIFICATIONS_RETRIED", "发送失败的短信重新发送"
    # persons
    PERSON_CREATED = "PERSON_CREATED", "人员登记"
    PERSON_INFO_CHANGED = "PERSON_INFO_CHANGED", "人员信息变更"
    PERSON_VIEWED_IN_FULL = "PERSON_VIEWED_IN_FULL", "查看人员完整信息"
    # cards
    CARD_MADE = "CARD_MADE", "制卡"
    CARD_HANDED_OVER = "CARD_HANDED_OVER", "发卡"
    CARD_ACTIVATED = "CARD_ACTIVATED", "启用"
    CARD_LOSS_REPORTED_TEMPORARY = "CARD_LOSS_REPORTED_TEMPORARY", "临时挂失"
    CARD_LOSS_REPORTED = "CARD_LOSS_REPORTED", "正式挂失"
    CARD_LOSS_CONFIRMED = "CARD_LOSS_CONFIRMED", "临时挂失转正式挂失"
    CARD_TEMPORARY_LOSS_LAPSED = "CARD_TEMPORARY_LOSS_LAPSED", "临时挂失到期解除"
    CARD_LOSS_WITHDRAWN = "CARD_LOSS_WITHDRAWN", "解挂"
    CARD_LOCKED = "CARD_LOCKED", "应用锁定"
    CARD_UNLOCKED = "CARD_UNLOCKED", "解锁"
    CARD_CANCELLED = "CARD_CANCELLED", "注销"
    CARD_REPLACED = "CARD_REPLACED", "旧卡终止"
    CARD_ROLLED_BACK = "CARD_ROLLED_BACK", "回退"
    CARD_ISSUED = "CARD_ISSUED", "补换新卡发放并启用"
    CARD_ISSUED_PENDING_ACTIVATION = "CARD_ISSUED_PENDING_ACTIVATION", "批量补换新卡领取（待启用）"
    CARD_WRONG_PIN_COUNTED = "CARD_WRONG_PIN_COUNTED", "密码错误计次"
    CARD_PIN_CHANGED = "CARD_PIN_CHANGED", "密码修改"
    CARD_PIN_RESET = "CARD_PIN_RESET", "密码重置"
    CARD_PIN_VERIFIED = "CARD_PIN_VERIFIED", "密码校验通过"
    # businesses (service requests)
    REQUEST_SUBMITTED = "REQUEST_SUBMITTED", "业务受理"
    REQUEST_APPROVED = "REQUEST_APPROVED", "审核通过"
    REQUEST_REJECTED = "REQUEST_REJECTED", "审核不通过"
    REQUEST_VOUCHER_PRESENTED = "REQUEST_VOUCHER_PRESENTED", "窗口收取凭证"
    REQUEST_SIGNED_FORM_RECORDED = "REQUEST_SIGNED_FORM_RECORDED", "签字表单留存"
    REQUEST_FEE_SETTLED = "REQUEST_FEE_SETTLED", "业务费用清缴"
    REQUEST_PRODUCTION_FINISHED = "REQUEST_PRODUCTION_FINISHED", "制卡完成"
    REQUESTS_PRODUCTION_FINISHED = "REQUESTS_PRODUCTION_FINISHED", "批量制卡到达网点"
    REQUEST_DISPATCHED = "REQUEST_DISPATCHED", "邮寄发出"
    REQUEST_HANDED_OVER = "REQUEST_HANDED_OVER", "领取发放"
    REQUEST_DELIVERED = "REQUEST_DELIVERED", "邮寄签收"
    REQUEST_VOIDED = "REQUEST_VOIDED", "业务作废"
    REQUEST_COMPLETED = "REQUEST_COMPLETED", "业务办结"
    # review claims (one reviewer at a time on an app application)
    REQUEST_REVIEW_CLAIMED = "REQUEST_REVIEW_CLAIMED", "领取审核案件"
    REQUEST_REVIEW_RELEASED = "REQUEST_REVIEW_RELEASED", "释放审核案件"
    REQUEST_REVIEW_REASSIGNED = "REQUEST_REVIEW_REASSIGNED", "改派审核案件"
    # the 12333 hotline: the caller checked against one card
    CALLER_VERIFIED = "CALLER_VERIFIED", "12333来电人身份核验通过"
    CALLER_VERIFICATION_FAILED = "CALLER_VERIFICATION_FAILED", "12333来电人身份核验未通过"
    # evidence and fees
    EVIDENCE_ARCHIVED = "EVIDENCE_ARCHIVED", "影像归档"
    EVIDENCE_VIEWED = "EVIDENCE_VIEWED", "查看影像"
    PAPER_ARCHIVE_RECORDED = "PAPER_ARCHIVE_RECORDED", "纸质资料存档登记"
    FEE_SETTLED = "FEE_SETTLED", "收费或抵扣"
    # employers and batches
    EMPLOYER_REGISTERED = "EMPLOYER_REGISTERED", "用人单位登记"
    EMPLOYER_HANDLER_ADDED = "EMPLOYER_HANDLER_ADDED", "单位经办人登记"
    EMPLOYER_HANDLER_DEACTIVATED = "EMPLOYER_HANDLER_DEACTIVATED", "单位经办人停用"
    BATCH_SUBMITTED = "BATCH_SUBMITTED", "批量申报提交"
    BATCH_VALIDATION_STARTED = "BATCH_VALIDATION_STARTED", "批量校验开始"
    BATCH_ROWS_PROCESSED = "BATCH_ROWS_PROCESSED", "批量明细校验"
    BATCH_VALIDATED = "BATCH_VALIDATED", "批量校验完成"
    BATCH_FAILED = "BATCH_FAILED", "批量校验失败"
    BATCH_FEE_SETTLED = "BATCH_FEE_SETTLED", "批量费用清缴"
    BATCH_ROW_CONVERTED = "BATCH_ROW_CONVERTED", "批量转零星"
    BATCH_PICKED_UP = "BATCH_PICKED_UP", "批量卡领取"
    BATCH_ACTIVATION_SKIPPED = "BATCH_ACTIVATION_SKIPPED", "批量卡未自动启用"
    BATCH_ERRORS_DOWNLOADED = "BATCH_ERRORS_DOWNLOADED", "批量错误回执下载"
    # central production orders
    ORDER_GENERATED = "ORDER_GENERATED", "制卡批次生成"
    ORDER_SENT_TO_BANK = "ORDER_SENT_TO_BANK", "报送银行开户"
    ORDER_BANK_RESULT_IMPORTED = "ORDER_BANK_RESULT_IMPORTED", "银行回盘导入"
    ORDER_SENT_TO_VENDOR = "ORDER_SENT_TO_VENDOR", "报送卡商制卡"
    ORDER_VENDOR_RESULT_IMPORTED = "ORDER_VENDOR_RESULT_IMPORTED", "卡商回盘导入"
    ORDER_SHIPPED = "ORDER_SHIPPED", "发往网点"
    ORDER_ARRIVED = "ORDER_ARRIVED", "网点签收"
    ORDER_CLOSED = "ORDER_CLOSED", "制卡批次结束"
    # service evaluation (好差评) and the follow-up of a bad rating
    EVALUATION_RECORDED = "EVALUATION_RECORDED", "服务评价记录"
    FOLLOW_UP_OPENED = "FOLLOW_UP_OPENED", "差评整改工单生成"
    FOLLOW_UP_CLOSED = "FOLLOW_UP_CLOSED", "差评整改办结"
    RECEIPT_PRINTED = "RECEIPT_PRINTED", "受理回执打印"
    # the outlet's queue (叫号)
    QUEUE_TICKET_CALLED = "QUEUE_TICKET_CALLED", "叫号"
    QUEUE_TICKET_SKIPPED = "QUEUE_TICKET_SKIPPED", "过号"
    # the 12333 hotline's work items to an outlet (工单转办)
    WORK_ITEM_CREATED = "WORK_ITEM_CREATED", "12333转办工单"
    WORK_ITEM_ACCEPTED = "WORK_ITEM_ACCEPTED", "转办工单受理"
    WORK_ITEM_CLOSED = "WORK_ITEM_CLOSED", "转办工单办结"
    WORK_ITEM_CANCELLED = "WORK_ITEM_CANCELLED", "转办工单撤销"
    WORK_ITEM_PHONE_VIEWED = "WORK_ITEM_PHONE_VIEWED", "查看转办工单完整回电号码"
    # retention (sscard.retention): one event per purged chunk, listing what was deleted or anonymised
    RETENTION_PURGED = "RETENTION_PURGED", "超过保存期限的数据清理"
    PERSONS_ANONYMISED = "PERSONS_ANONYMISED", "人员信息匿名化"


EVENT_TYPES = frozenset(AuditEventType.values)
