"""The employers app's error codes: units (unified social credit code) and their handlers.

Registered with status and general meaning, see ``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("employers", [
    ErrorCode("USCC_FORMAT", 400, "统一社会信用代码格式不正确（18位数字和大写字母，第3至8位为行政区划码）"),
    ErrorCode("USCC_CHECK", 400, "统一社会信用代码的校验码（第17位或第18位）不正确"),
    ErrorCode("EMPLOYER_NAME_INVALID", 400, "单位名称未填写或过长（不超过200个字符）"),
    ErrorCode("EMPLOYER_ADDRESS_INVALID", 400, "单位地址过长（不超过200个字符）"),
    ErrorCode("EMPLOYER_PHONE_INVALID", 400, "单位联系电话格式不正确（11位手机号码或带区号的固定电话）"),
    ErrorCode("EMPLOYER_NOT_FOUND", 404, "未找到该用人单位"),
    ErrorCode("EMPLOYER_EXISTS", 409, "该统一社会信用代码已登记为另一单位名称"),
    ErrorCode("EMPLOYER_BEING_REGISTERED", 409, "该单位正在由另一笔业务登记，请稍后重试"),
    ErrorCode("EMPLOYER_INACTIVE", 422, "该用人单位已停用"),
    ErrorCode("HANDLER_NAME_MISMATCH", 400, "经办人姓名与证件号码登记的姓名不一致"),
    ErrorCode("HANDLER_PHONE_INVALID", 400, "经办人联系电话格式不正确（11位手机号码或带区号的固定电话）"),
    ErrorCode("HANDLER_NOT_FOUND", 404, "该单位没有这名经办人"),
    ErrorCode("HANDLER_INACTIVE", 409, "该经办人已停用"),
    ErrorCode("HANDLER_IS_MINOR", 422, "单位经办人须为成年人"),
])
