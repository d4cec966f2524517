"""The staff app's error codes: signing in and the access checks every app shares (registered with status
and general meaning, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("staff", [
    ErrorCode("SIGN_IN_FAILED", 401, "登录失败：用户名（或证件号码）或密码错误"),
    # sign-in lockout, tokens and disabled accounts (staff.services / tokens / accounts)
    ErrorCode("SIGN_IN_LOCKED", 429, "登录失败次数过多，账户或来源地址已暂时锁定，冷却期后再试"),
    ErrorCode("ACCOUNT_ALREADY_DISABLED", 409, "该账户已停用"),
    ErrorCode("KIOSK_DISABLED", 422, "自助一体机已停用，不能签发令牌"),
    ErrorCode("ACCESS_DENIED", 403, "当前用户（角色、渠道或网点）无权办理此业务"),
    ErrorCode("OUTLET_MISMATCH", 403, "该业务不属于本网点，须到受理网点办理"),
    ErrorCode("CLERK_WITHOUT_OUTLET", 403, "窗口经办员未分配服务网点，不能办理窗口业务"),
    # outlets: the issuance device switch and the outlet's settings (staff.outlets)
    ErrorCode("OUTLET_NOT_FOUND", 404, "未找到该网点"),
    ErrorCode("ISSUANCE_STATUS_INVALID", 400, "制卡设备状态无效，应为正常、设备故障或网络故障"),
    ErrorCode("ISSUANCE_STATUS_UNCHANGED", 409, "网点制卡设备已是所选状态，未作修改"),
    ErrorCode("ISSUANCE_NOTE_INVALID", 400, "设备状态说明不正确：设为故障时须填写，且不超过200个字符"),
    ErrorCode("OUTLET_SETTING_INVALID", 400, "网点配置项不正确：须为“是”或“否”"),
])
