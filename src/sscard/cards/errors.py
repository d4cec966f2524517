"""The cards app's error codes: the card primitives (lookup, state table, replacement) and PIN counting
(``cards.services`` / ``pin``).  Registered with status and general meaning, see ``sscard.core.errors``."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("cards", [
    ErrorCode("OLD_CARD_ENDED", 409, "原社保卡已注销或已换卡，本次补换卡不能继续"),
    # the card
    ErrorCode("CARD_NOT_FOUND", 404, "未找到社会保障卡"),
    ErrorCode("CARD_TRANSITION_REFUSED", 409, "社保卡当前状态不允许该操作"),
    ErrorCode("CARD_NO_PREVIOUS_STATE", 409, "无法确定该卡此前的状态，不能恢复"),
    # PIN
    ErrorCode("PIN_PAD_UNAVAILABLE", 422, "当前渠道没有密码键盘，不能办理密码业务"),
    ErrorCode("PIN_WRONG", 422, "密码错误（details.remaining_attempts 为剩余可尝试次数）"),
    ErrorCode("PIN_WRONG_CARD_LOCKED", 422, "密码错误次数已达上限，社保卡已锁定，须到服务窗口解锁"),
    # 电子社保卡码 (cards.ecard)
    ErrorCode("ECARD_NO_CARD", 404, "没有可用的社会保障卡，不能生成电子社保卡码"),
    ErrorCode("ECARD_CODE_INVALID", 400, "电子社保卡码无效（格式或签名不符）"),
    ErrorCode("ECARD_CODE_EXPIRED", 422, "电子社保卡码已过期"),
    ErrorCode("ECARD_CODE_USED", 409, "电子社保卡码已使用过（每个码只能使用一次）"),
    ErrorCode("ECARD_CARD_LOST", 422, "社保卡已挂失（正式或临时），电子社保卡码不能使用"),
    ErrorCode("ECARD_CARD_LOCKED", 422, "社保卡已锁定，电子社保卡码不能使用"),
    ErrorCode("ECARD_CARD_CANCELLED", 422, "社保卡已注销或已换卡，电子社保卡码不能使用"),
    ErrorCode("ECARD_CARD_NOT_ACTIVE", 422, "社保卡尚未启用，电子社保卡码不能使用"),
])
