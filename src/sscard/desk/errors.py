"""The desk app's error codes: a business through any channel (intake, evidence, review, hand-over,
delivery, vouchers, voiding) and the access checks the API shares (ACCESS_DENIED, OUTLET_MISMATCH, ...).

A code raised in several apps is registered in the lowest of them (first in INSTALLED_APPS): the access
codes are raised by desk and by several of employers, batches, production and api, so they live here.
Registered with status and general meaning, see ``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("desk", [
    # access
    ErrorCode("ACCESS_DENIED", 403, "当前用户（角色、渠道或网点）无权办理此业务"),
    ErrorCode("CLERK_WITHOUT_OUTLET", 403, "窗口经办员未分配服务网点，不能办理窗口业务"),
    ErrorCode("OUTLET_MISMATCH", 403, "该业务不属于本网点，须到受理网点办理"),
    # intake and evidence
    ErrorCode("PERSON_NOT_FOUND", 404, "未找到该证件对应的人员信息"),
    ErrorCode("UPLOAD_DOCUMENT_MISSING", 422, "缺少身份证明图片"),
    ErrorCode("EVIDENCE_CREDENTIAL_MISSING", 422, "缺少所出示身份凭证的影像"),
    ErrorCode("EVIDENCE_SCENE_MISSING", 422, "缺少办理场景影像"),
    ErrorCode("EVIDENCE_PAPER_REF_MISSING", 422, "不具备数字化条件的窗口须登记纸质资料存档编号"),
    ErrorCode("SIGNATURE_MISSING", 422, "缺少数字签字板签名"),
    # the business
    ErrorCode("REQUEST_NOT_FOUND", 404, "未找到该业务"),
    ErrorCode("REQUEST_STATE_CONFLICT", 409, "业务当前状态不允许该操作"),
    ErrorCode("REQUEST_STEP_CONFLICT", 409, "当前待办环节不是所要办理的环节"),
    ErrorCode("BATCH_REQUEST", 422, "单位批量制卡业务随制卡批次办理，不能单独操作"),
    ErrorCode("ARCHIVE_ITEM_NOT_FOUND", 404, "未找到该业务的这一影像"),
    ErrorCode("REJECT_REASON_REQUIRED", 400, "审核不通过须填写原因"),
    ErrorCode("VOID_REASON_REQUIRED", 400, "作废业务须填写原因"),
    ErrorCode("VOID_IN_PRODUCTION", 422, "社保卡已在制作中，不能自行撤回"),
    ErrorCode("VOID_IN_PRODUCTION_BACK_OFFICE", 403, "制卡中的业务须由后台主管作废，或由受理网点作废本网点延时制卡的业务"),
    # hand-over and delivery
    ErrorCode("CARD_NOT_MADE", 409, "社保卡尚未制成"),
    ErrorCode("CARD_NOT_ISSUABLE", 422, "社保卡已挂失、注销或已被替换，不能发放"),
    ErrorCode("HAND_OVER_NOT_HERE", 422, "集中制卡的社保卡须在领取网点发放或邮寄发放"),
    ErrorCode("ORIGINALS_NOT_CHECKED", 422, "领卡须核验办理时所提交的全部身份证明原件"),
    ErrorCode("DELIVERY_NOT_POST", 422, "该业务未选择邮寄到家，不能邮寄发出"),
    ErrorCode("TRACKING_NO_REQUIRED", 400, "须填写邮件单号（不超过40个字符）"),
    # kiosk vouchers
    ErrorCode("VOUCHER_MISMATCH", 422, "凭证号与该业务不一致"),
    ErrorCode("VOUCHER_EXPIRED", 422, "凭证已超过有效期，须重新办理"),
])
