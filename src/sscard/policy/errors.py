"""The policy app's error codes: a business checked against the catalogue (channel, role, card state,
reason, materials).  Registered with status and general meaning, see ``sscard.core.errors``."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("policy", [
    ErrorCode("BUSINESS_NOT_ON_CHANNEL", 422, "该业务不能通过当前渠道办理"),
    ErrorCode("ROLE_NOT_ALLOWED", 422, "当前渠道不受理以该申办人身份（本人或代办）办理此业务"),
    ErrorCode("CARD_STATE_NOT_ALLOWED", 422, "社保卡当前状态不允许办理此业务"),
    ErrorCode("REASON_NOT_ALLOWED", 422, "业务原因不在该业务允许的原因之列"),
    ErrorCode("MATERIAL_APPLICANT_DOC_MISSING", 422, "缺少申办人身份凭证"),
    ErrorCode("MATERIAL_APPLICANT_DOC_NOT_ACCEPTED", 422, "所出示的证件不能作为本业务申办人的身份凭证"),
    ErrorCode("MATERIAL_AGENT_DOC_MISSING", 422, "缺少代办人身份凭证"),
    ErrorCode("MATERIAL_AGENT_DOC_NOT_ACCEPTED", 422, "所出示的证件不能作为代办人的身份凭证"),
    ErrorCode("MATERIAL_PHOTO_MISSING", 422, "缺少1寸白底免冠登记照"),
])
