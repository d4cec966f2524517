"""The staff app's error codes: signing in (registered with status and general meaning, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("staff", [
    ErrorCode("SIGN_IN_FAILED", 401, "登录失败：用户名（或证件号码）或密码错误"),
])
