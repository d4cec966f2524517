"""The desk app's error codes: a business through any channel (intake, evidence, review, hand-over,
delivery, vouchers, voiding) the parties, the production and card-lifecycle businesses.

Registered with status and general meaning, see ``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("desk", [
    # intake and evidence
    ErrorCode("PERSON_NOT_FOUND", 404, "未找到该证件对应的人员信息"),
    ErrorCode("UPLOAD_DOCUMENT_MISSING", 422, "缺少身份证明图片"),
    ErrorCode("EVIDENCE_CREDENTIAL_MISSING", 422, "缺少所出示身份凭证的影像"),
    ErrorCode("EVIDENCE_SCENE_MISSING", 422, "缺少办理场景影像"),
    ErrorCode("EVIDENCE_PAPER_REF_MISSING", 422, "不具备数字化条件的窗口须登记纸质资料存档编号"),
    ErrorCode("SIGNATURE_MISSING", 422, "缺少数字签字板签名"),
    # the business
    ErrorCode("REQUEST_NOT_FOUND", 404, "未找到该业务"),
    # service evaluation (好差评)
    ErrorCode("EVALUATION_NOT_COMPLETED", 409, "业务办结后才能评价"),
    ErrorCode("EVALUATION_EXISTS", 409, "该业务已评价"),
    ErrorCode("EVALUATION_LEVEL", 400, "评价等级须为 1 至 5"),
    ErrorCode("EVALUATION_REASON_REQUIRED", 400, "不满意或非常不满意时须填写理由"),
    ErrorCode("FOLLOW_UP_RESOLUTION_REQUIRED", 400, "办结差评整改须填写整改情况"),
    ErrorCode("FOLLOW_UP_NOT_FOUND", 404, "未找到该差评整改工单"),
    ErrorCode("FOLLOW_UP_CLOSED", 409, "该差评整改工单已办结"),
    ErrorCode("REQUEST_STATE_CONFLICT", 409, "业务当前状态不允许该操作"),
    ErrorCode("REQUEST_STEP_CONFLICT", 409, "当前待办环节不是所要办理的环节"),
    ErrorCode("BATCH_REQUEST", 422, "单位批量制卡业务随制卡批次办理，不能单独操作"),
    ErrorCode("ARCHIVE_ITEM_NOT_FOUND", 404, "未找到该业务的这一影像"),
    ErrorCode("REJECT_REASON_REQUIRED", 400, "审核不通过须填写原因"),
    ErrorCode("REJECT_ITEM_INVALID", 400, "须选择审核不通过所涉及的项目（照片、证件图片或所填信息中的一项）"),
    # review claims (desk.claims)
    ErrorCode("REVIEW_CLAIMED_BY_OTHER", 409, "该案件正由其他审核员审核，须待其办结、领取到期或由主管改派"),
    ErrorCode("REVIEW_NOT_CLAIMED", 409, "该案件当前无人审核，无需释放"),
    ErrorCode("REVIEW_ALREADY_ASSIGNED", 409, "该案件已由所选审核员审核，无需改派"),
    ErrorCode("REVIEW_ASSIGNEE_INVALID", 400, "改派对象须为在岗的审核员或主管"),
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
    # the 12333 hotline (desk.hotline)
    ErrorCode("CALLER_DETAILS_MISSING", 400, "核验来电人身份须填写社保卡号、持卡人姓名和身份证号码"),
    ErrorCode("CALLER_NOT_VERIFIED", 422, "社保卡号、姓名、身份证号码与同一张社保卡不符，身份核验未通过"),
    # the hotline's work items to an outlet (desk.work_items)
    ErrorCode("WORK_ITEM_CALLER_NOT_VERIFIED", 422, "来电人身份未核验或核验已超过有效时间，不能转办工单"),
    ErrorCode("WORK_ITEM_OUTLET_REQUIRED", 400, "转办工单须选择转办网点"),
    ErrorCode("WORK_ITEM_OUTLET_UNKNOWN", 400, "所选转办网点不存在或已停用"),
    ErrorCode("WORK_ITEM_CATEGORY_INVALID", 400, "工单类别须为业务目录所列类别之一"),
    ErrorCode("WORK_ITEM_NOTE_REQUIRED", 400, "转办工单须填写转办事由"),
    ErrorCode("WORK_ITEM_NOTE_TOO_LONG", 400, "转办事由超过长度限制"),
    ErrorCode("WORK_ITEM_PHONE_INVALID", 400, "回电号码格式不正确"),
    ErrorCode("WORK_ITEM_DUPLICATE", 409, "该来电人在该网点已有同类未办结工单"),
    ErrorCode("WORK_ITEM_NOT_FOUND", 404, "未找到该转办工单"),
    ErrorCode("WORK_ITEM_STATE_CONFLICT", 409, "转办工单当前状态不允许该操作"),
    ErrorCode("WORK_ITEM_RESULT_REQUIRED", 400, "办结转办工单须填写办理结果"),
    ErrorCode("WORK_ITEM_CANCEL_REASON_REQUIRED", 400, "撤销转办工单须填写撤销原因"),
    ErrorCode("WORK_ITEM_RESULT_TOO_LONG", 400, "办理结果或撤销原因超过长度限制"),
    ErrorCode("WORK_ITEM_NOT_CREATOR", 403, "转办工单只能由转办的话务员或主管撤销"),
    ErrorCode("WORK_ITEM_NO_PHONE", 404, "该转办工单未留回电号码"),
    # kiosk vouchers
    ErrorCode("VOUCHER_MISMATCH", 422, "凭证号与该业务不一致"),
    ErrorCode("VOUCHER_EXPIRED", 422, "凭证已超过有效期，须重新办理"),
    # the parties (desk.intake)
    ErrorCode("APPLICANT_DOC_MISSING", 400, "缺少申办人（持卡人）身份凭证（证件类型和号码）"),
    ErrorCode("NAME_REQUIRED", 400, "未填写姓名"),
    ErrorCode("BIRTH_DATE_REQUIRED", 400, "证件号码不含出生日期，须填写出生日期"),
    ErrorCode("BIRTH_DATE_MISMATCH", 400, "填写的出生日期与证件号码不一致"),
    ErrorCode("BIRTH_DATE_INVALID", 400, "出生日期晚于今天"),
    ErrorCode("PERSON_BEING_CREATED", 409, "该人员信息正在由另一笔业务登记，请稍后重试"),
    ErrorCode("AGENT_IS_APPLICANT", 422, "代办人不能是申办人本人"),
    ErrorCode("AGENT_IS_MINOR", 422, "代办人须为成年人"),
    ErrorCode("APP_ACCOUNT_MISMATCH", 403, "APP只能为本人申领，或以本人身份为未成年人代办"),
    ErrorCode("APPLICANT_NOT_ACCOUNT_HOLDER", 403, "APP只能为登录账户本人办理业务"),
    # production businesses (desk.applications, desk.production)
    ErrorCode("BUSINESS_UNKNOWN", 400, "业务类型不正确"),
    ErrorCode("APPLICATION_PENDING", 422, "该人员已有正在办理中的制卡业务，须办结或作废后再申请",
              other_statuses=(409,)),
    ErrorCode("OPEN_REQUEST_EXISTS", 422, "该人员有正在办理的制卡业务，须办结或作废后再办理"),
    ErrorCode("CARD_ALREADY_HELD", 422, "该人员已持有社保卡，不能重复申领或制卡", other_statuses=(409,)),
    ErrorCode("NO_LIVE_CARD", 422, "该人员没有可补换的社保卡"),
    ErrorCode("CARD_NOT_CURRENT", 422, "所出示的社保卡已注销或已换卡，不是现用卡"),
    ErrorCode("DELIVERY_REQUIRED", 400, "须选择领卡方式：邮寄到家（post）或网点自取（pickup）"),
    ErrorCode("DELIVERY_ADDRESS_REQUIRED", 400, "选择邮寄到家时须填写邮寄地址"),
    ErrorCode("PICKUP_OUTLET_UNKNOWN", 400, "未找到所选的领卡网点"),
    ErrorCode("PICKUP_OUTLET_NOT_ACCEPTING", 422, "所选网点不提供社保卡领取服务"),
    ErrorCode("ISSUANCE_UNAVAILABLE", 409, "制卡设备或网络暂不可用，暂不能制卡"),
    ErrorCode("CARD_BUSY", 409, "该卡正在办理其他业务，请稍后重试"),
    ErrorCode("CARD_NOT_HANDED_OVER", 422, "社保卡尚未领取，不能启用"),
    # card-lifecycle businesses (desk.lifecycle)
    ErrorCode("LOSS_ALREADY_REPORTED", 409, "该卡已临时挂失，须办理正式挂失"),
    ErrorCode("ROLLBACK_NOTHING_TO_UNDO", 422, "该卡没有可回退的业务变更"),
    ErrorCode("ROLLBACK_NOT_REVERSIBLE", 422, "该卡最近一次变更不属于可回退的业务"),
    ErrorCode("ROLLBACK_TOO_OLD", 422, "该卡最近一次变更已超过可回退的期限"),
    ErrorCode("ROLLBACK_OTHER_LIVE_CARD", 409, "该人员已有其他在用社保卡，不能恢复此卡"),
])
