"""The workdays app's error codes: the holiday calendar import (registered, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("workdays", [
    ErrorCode("CALENDAR_IMPORT_EMPTY", 400, "没有可导入的节假日或调休日期"),
    # single days edited on the settings pages
    ErrorCode("CALENDAR_DAY_NOT_FOUND", 404, "未找到该日期的节假日或调休记录"),
    ErrorCode("CALENDAR_DAY_EXISTS", 409, "该日期已有节假日或调休记录"),
    ErrorCode("CALENDAR_DAY_INVALID", 400, "节假日记录不正确：日期、类型、名称或说明有误"),
])
