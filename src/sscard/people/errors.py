"""The people app's error codes: identity-number validation and the information change business.

Registered here (with status and general meaning, see ``sscard.core.errors``) so the API's code list and
``docs/ERRORS.md`` come from one place; the raise sites keep their specific messages.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

#: The refusal code of each key field of the information change.  ``people.services`` builds the same
#: names as ``f"KEY_INFO_{field.upper()}_NOT_CHANGEABLE"`` for the fields of its ``FIELD_LABELS`` that the
#: catalogue does not make changeable; the meta-test holds this table to that, and the raise site can look
#: the code up here instead.
KEY_INFO_NOT_CHANGEABLE = {
    "name": "KEY_INFO_NAME_NOT_CHANGEABLE",
    "id_number": "KEY_INFO_ID_NUMBER_NOT_CHANGEABLE",
    "birth_date": "KEY_INFO_BIRTH_DATE_NOT_CHANGEABLE",
    "gender": "KEY_INFO_GENDER_NOT_CHANGEABLE",
    "ethnicity": "KEY_INFO_ETHNICITY_NOT_CHANGEABLE",
    "nationality": "KEY_INFO_NATIONALITY_NOT_CHANGEABLE",
    "id_type": "KEY_INFO_ID_TYPE_NOT_CHANGEABLE",
}

ERROR_CODES = ErrorCodes("people", [
    # identity numbers (people.idnumbers)
    ErrorCode("DOC_TYPE_UNKNOWN", 400, "不支持的证件类型"),
    ErrorCode("ID_FORMAT", 400, "身份证件号码（居民身份证、居住证、户口簿）的位数或字符不正确"),
    ErrorCode("ID_CHECK_DIGIT", 400, "身份证件号码的校验位不正确（号码可能输错）"),
    ErrorCode("ID_BIRTH_DATE", 400, "身份证件号码中的出生日期无效、早于1900年1月1日或晚于今天"),
    ErrorCode("ID_AREA_CODE", 400, "身份证件号码的地址码（前6位）无效或与证件类型不符"),
    ErrorCode("ID_LEGACY_INVALID", 400, "15位旧身份证件号码中的出生日期无效，无法升级为18位号码"),
    ErrorCode("PERMIT_FORMAT", 400, "港澳台居民来往内地（大陆）通行证号码格式不正确"),
    ErrorCode("PASSPORT_FORMAT", 400, "护照号码格式不正确"),
    ErrorCode("OFFICER_CARD_FORMAT", 400, "军官证号码格式不正确"),
    ErrorCode("FOREIGNER_PR_FORMAT", 400, "外国人永久居留身份证号码格式、出生日期或校验位不正确"),
    ErrorCode("CARD_NO_FORMAT", 400, "社会保障卡卡号格式不正确（1位字母加8位数字）"),
    # information change (people.services)
    ErrorCode("INFO_CHANGE_EMPTY", 400, "信息变更没有需要变更的信息"),
    ErrorCode("INFO_FIELD_UNKNOWN", 400, "信息变更中有无法识别的变更项"),
    ErrorCode("INFO_PHONE_INVALID", 400, "联系电话格式不正确（11位手机号码或带区号的固定电话）"),
    ErrorCode("INFO_ADDRESS_INVALID", 400, "居住地址应为5至200个字符"),
    ErrorCode("KEY_INFO_NAME_NOT_CHANGEABLE", 422, "姓名属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_ID_NUMBER_NOT_CHANGEABLE", 422, "身份证件号码属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_BIRTH_DATE_NOT_CHANGEABLE", 422, "出生日期属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_GENDER_NOT_CHANGEABLE", 422, "性别属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_ETHNICITY_NOT_CHANGEABLE", 422, "民族属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_NATIONALITY_NOT_CHANGEABLE", 422, "国籍属于关键信息，不能通过信息变更修改"),
    ErrorCode("KEY_INFO_ID_TYPE_NOT_CHANGEABLE", 422, "证件类型属于关键信息，不能通过信息变更修改"),
])
