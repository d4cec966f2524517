"""The fees app's error codes: recording a payment or an offset (registered, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("fees", [
    ErrorCode("FEE_AMOUNT_INVALID", 400, "金额不正确：须为以“分”为单位的非负整数，且不超出范围"),
    ErrorCode("FEE_METHOD_UNKNOWN", 400, "结算方式无效，应为缴费（paid）或抵扣（offset）"),
    ErrorCode("FEE_OFFSET_REFERENCE_REQUIRED", 400, "抵扣须填写抵扣凭证号"),
    ErrorCode("FEE_OFFSET_REFERENCE_INVALID", 400, "抵扣凭证号过长（最多64个字符）"),
    ErrorCode("FEE_SUBJECT_INVALID", 400, "缴费记录的业务对象标识缺失或过长"),
    # the fee schedule's settings page (fees.schedule)
    ErrorCode("FEE_RULE_NOT_FOUND", 404, "未找到该收费标准"),
    ErrorCode("FEE_RULE_EXISTS", 409, "该业务（及原因）已有收费标准"),
    ErrorCode("FEE_RULE_INVALID", 400, "收费标准的业务类型、原因或启用状态不正确"),
    ErrorCode("FEE_NOTE_INVALID", 400, "收费标准说明过长（最多200个字符）"),
])
