"""The api app's error codes: the bodies ``api.root`` writes for errors that are not domain errors (input
that does not validate, no credentials, HTTP errors, unknown paths) and the codes the routers raise.

Registered with status and general meaning, see ``sscard.core.errors``.  HTTP_ERROR has no status of its
own: it answers an HTTP error of a status without a code of its own, with that status.
"""

from sscard.core.errors import ErrorCode, ErrorCodes

ERROR_CODES = ErrorCodes("api", [
    # api.root
    ErrorCode("INPUT_INVALID", 400, "请求数据不正确（details.fields 列出每个字段的问题）"),
    ErrorCode("NOT_AUTHENTICATED", 401, "未登录或凭据无效"),
    ErrorCode("NOT_FOUND", 404, "请求的资源不存在"),
    ErrorCode("HTTP_400", 400, "请求格式不正确（无法解析请求内容）"),
    ErrorCode("HTTP_403", 403, "无权访问"),
    ErrorCode("HTTP_405", 405, "不支持该请求方法"),
    ErrorCode("HTTP_413", 413, "请求内容过大"),
    ErrorCode("HTTP_429", 429, "请求过于频繁，请稍后重试"),
    # api.root: a body Django cannot take; api.parsing: strict JSON, text the database can hold
    ErrorCode("BODY_TOO_MANY_PARTS", 400, "请求中的字段或文件过多"),
    ErrorCode("BODY_UNPARSABLE", 400, "请求内容无法解析（与 Content-Type 不符，如 multipart 缺少分隔符，"
                                      "或内容不完整）"),
    ErrorCode("REQUEST_REFUSED", 400, "请求不符合要求，已拒绝"),
    ErrorCode("JSON_INVALID", 400, "请求内容不是合法的 UTF-8 JSON（含 NaN、Infinity 等非 JSON 的值）"),
    ErrorCode("JSON_DUPLICATE_KEY", 400, "请求内容中同一对象的字段出现了不止一次"),
    ErrorCode("TEXT_CHARACTER_INVALID", 400, "请求路径、查询参数、表单字段或 JSON 文本含有 NUL 或不成对的"
                                             "代理字符"),
    ErrorCode("HTTP_ERROR", None, "请求无法处理（其他 HTTP 错误，状态码即该错误的状态码）"),
    # routers
    ErrorCode("META_INVALID", 400, "批量提交的 meta 字段格式不正确"),
    ErrorCode("TEMPLATE_NOT_FOUND", 404, "没有这种批量模板"),
    ErrorCode("ERRORS_NOT_READY", 404, "批次尚未校验完成，暂无错误回执"),
    ErrorCode("VOUCHER_NOT_FOUND", 404, "该业务或批次没有自助一体机凭证"),
    ErrorCode("EXCHANGE_KIND_INVALID", 400, "回盘类型须为 bank_result 或 vendor_result"),
])
