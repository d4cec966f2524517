"""The hardware app's error codes: the device errors of ``hardware.interfaces``.

A service turns a device error into a domain error with ``as_domain_error()`` (code = the device error's
``reason``); the status is the device error's ``status`` (PIN entry errors: 400).  Registered with status
and general meaning, see ``sscard.core.errors``.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("hardware", [
    ErrorCode("DEVICE_UNAVAILABLE", 503, "设备（身份证读卡器、社保卡读卡及密码键盘或即时制卡机）暂不可用，请稍后重试"),
    ErrorCode("NO_CARD_PRESENT", 422, "读卡器上未检测到身份证或社保卡"),
    ErrorCode("CARD_MISMATCH", 422, "读卡器中的社保卡与所办理的卡不一致"),
    ErrorCode("CARD_UNREADABLE", 422, "社保卡芯片无法读取"),
    ErrorCode("PIN_NOT_ENTERED", 400, "未在密码键盘上输入密码"),
    ErrorCode("PIN_MISMATCH", 400, "两次输入的新密码不一致"),
    ErrorCode("PIN_WEAK", 400, "新密码过于简单（不能为相同数字或连续数字）"),
    ErrorCode("PIN_MALFORMED", 400, "密码须为6位数字"),
])
