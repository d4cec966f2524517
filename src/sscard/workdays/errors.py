"""The workdays app's error codes: the holiday calendar import (registered, see core.errors)."""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("workdays", [
    ErrorCode("CALENDAR_IMPORT_EMPTY", 400, "没有可导入的节假日或调休日期"),
])
