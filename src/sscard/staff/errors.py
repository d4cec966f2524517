"""The staff app's error codes: signing in and the access checks every app shares (registered with status
and general meaning, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("staff", [
    ErrorCode("SIGN_IN_FAILED", 401, "登录失败：用户名（或证件号码）或密码错误"),
    ErrorCode("ACCESS_DENIED", 403, "当前用户（角色、渠道或网点）无权办理此业务"),
    ErrorCode("OUTLET_MISMATCH", 403, "该业务不属于本网点，须到受理网点办理"),
    ErrorCode("CLERK_WITHOUT_OUTLET", 403, "窗口经办员未分配服务网点，不能办理窗口业务"),
])
