"""The cards app's error codes: application, reissue / replacement, issuance, activation, loss, lock, PIN and
rollback (``cards.issuance`` / ``lifecycle`` / ``pin`` / ``services``).

Registered with status and general meaning, see ``sscard.core.errors``.  Three codes are raised with two
statuses today (``other_statuses``): APPLICATION_PENDING and CARD_ALREADY_HELD are refused (422) when the
check before writing finds them and answer 409 when the database catches the same condition in a race;
AGENT_IS_APPLICANT is 400 for an application and 422 for the other businesses.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("cards", [
    # who applies
    ErrorCode("APPLICANT_REQUIRED", 400, "缺少申办人身份凭证"),
    ErrorCode("APPLICANT_DOC_MISSING", 400, "缺少申办人（持卡人）身份凭证（证件类型和号码）"),
    ErrorCode("NAME_REQUIRED", 400, "未填写姓名"),
    ErrorCode("BIRTH_DATE_REQUIRED", 400, "证件号码不含出生日期，须填写出生日期"),
    ErrorCode("BIRTH_DATE_MISMATCH", 400, "填写的出生日期与证件号码不一致"),
    ErrorCode("BIRTH_DATE_INVALID", 400, "出生日期晚于今天"),
    ErrorCode("PERSON_BEING_CREATED", 409, "该人员信息正在由另一笔业务登记，请稍后重试"),
    ErrorCode("AGENT_IS_APPLICANT", 422, "代办人不能是申办人本人", other_statuses=(400,)),
    ErrorCode("AGENT_IS_MINOR", 422, "代办人须为成年人"),
    ErrorCode("APP_ACCOUNT_MISMATCH", 403, "APP只能为本人申领，或以本人身份为未成年人代办"),
    ErrorCode("APPLICANT_NOT_ACCOUNT_HOLDER", 403, "APP只能为登录账户本人办理业务"),
    # what is applied for
    ErrorCode("BUSINESS_UNKNOWN", 400, "业务类型不正确"),
    ErrorCode("APPLICATION_PENDING", 422, "该人员已有正在办理中的制卡业务，须办结或作废后再申请",
              other_statuses=(409,)),
    ErrorCode("OPEN_REQUEST_EXISTS", 422, "该人员有正在办理的制卡业务，须办结或作废后再办理"),
    ErrorCode("CARD_ALREADY_HELD", 422, "该人员已持有社保卡，不能重复申领或制卡", other_statuses=(409,)),
    ErrorCode("NO_LIVE_CARD", 422, "该人员没有可补换的社保卡"),
    ErrorCode("CARD_NOT_CURRENT", 422, "所出示的社保卡已注销或已换卡，不是现用卡"),
    ErrorCode("OLD_CARD_ENDED", 409, "原社保卡已注销或已换卡，本次补换卡不能继续"),
    ErrorCode("DELIVERY_REQUIRED", 400, "须选择领卡方式：邮寄到家（post）或网点自取（pickup）"),
    ErrorCode("DELIVERY_ADDRESS_REQUIRED", 400, "选择邮寄到家时须填写邮寄地址"),
    ErrorCode("PICKUP_OUTLET_UNKNOWN", 400, "未找到所选的领卡网点"),
    ErrorCode("PICKUP_OUTLET_NOT_ACCEPTING", 422, "所选网点不提供社保卡领取服务"),
    ErrorCode("ISSUANCE_UNAVAILABLE", 409, "制卡设备或网络暂不可用，暂不能制卡"),
    # the card
    ErrorCode("CARD_NOT_FOUND", 404, "未找到社会保障卡"),
    ErrorCode("CARD_BUSY", 409, "该卡正在办理其他业务，请稍后重试"),
    ErrorCode("CARD_TRANSITION_REFUSED", 409, "社保卡当前状态不允许该操作"),
    ErrorCode("CARD_NO_PREVIOUS_STATE", 409, "无法确定该卡此前的状态，不能恢复"),
    ErrorCode("CARD_NOT_HANDED_OVER", 422, "社保卡尚未领取，不能启用"),
    ErrorCode("LOSS_ALREADY_REPORTED", 409, "该卡已临时挂失，须办理正式挂失"),
    # PIN
    ErrorCode("PIN_PAD_UNAVAILABLE", 422, "当前渠道没有密码键盘，不能办理密码业务"),
    ErrorCode("PIN_WRONG", 422, "密码错误（details.remaining_attempts 为剩余可尝试次数）"),
    ErrorCode("PIN_WRONG_CARD_LOCKED", 422, "密码错误次数已达上限，社保卡已锁定，须到服务窗口解锁"),
    # rollback
    ErrorCode("ROLLBACK_NOTHING_TO_UNDO", 422, "该卡没有可回退的业务变更"),
    ErrorCode("ROLLBACK_NOT_REVERSIBLE", 422, "该卡最近一次变更不属于可回退的业务"),
    ErrorCode("ROLLBACK_TOO_OLD", 422, "该卡最近一次变更已超过可回退的期限"),
    ErrorCode("ROLLBACK_OTHER_LIVE_CARD", 409, "该人员已有其他在用社保卡，不能恢复此卡"),
])
