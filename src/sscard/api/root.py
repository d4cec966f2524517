"""The JSON API: one NinjaAPI, routers per area, domain errors rendered in one place."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from sscard.api.auth import AUTH
from sscard.api.docs_access import docs_behind_sign_in
from sscard.api.parsing import StrictParser, path_screen
from sscard.api.routers import ROUTERS
from sscard.api.schemas import ERROR_DESCRIPTIONS
from sscard.core.errors import DomainError

log = logging.getLogger(__name__)


class LocalTimeJSONEncoder(NinjaJSONEncoder):
    """Aware datetimes in Beijing time (settings.TIME_ZONE, +08:00) instead of UTC as stored.

    Ninja dumps response schemas in python mode, so datetimes reach the encoder as objects; dates stay dates.
    """

    def default(self, o):
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o, timezone.get_default_timezone())
        return super().default(o)


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without \\u escapes, so Chinese messages read as written (the charset is in the header)."""

    encoder_class = LocalTimeJSONEncoder
    json_dumps_params = {"ensure_ascii": False}


DESCRIPTION = """重庆市第三代社会保障卡业务经办接口，服务窗口、自助一体机、重庆人社APP、12333 电话和后台共用。

* **鉴权**：除登录接口外，请求须带 `Authorization: Bearer <令牌>`（由 `/auth/staff-token` 或 `/auth/citizen-token`
  换取），或工作人员页面的登录会话。办理渠道由调用者决定，不由请求字段指定。
* **时间**：响应中的时间一律为 ISO 8601 格式、带 `+08:00` 偏移的北京时间（Asia/Shanghai），如
  `2026-11-26T09:30:00+08:00`；日期为 `YYYY-MM-DD`，不带时区。
* **错误**：所有错误响应为统一结构 `ErrorOut`：`code`（稳定错误代码）、`message`（中文说明）、`rule`（所依据的经办规则）、
  `details`（补充信息）。400 请求数据不正确，401 未登录，403 无权办理，404 不存在，409 状态冲突，422 经办规则不允许。
* **图片**：JPEG 或 PNG 图片的 base64 编码，或 `data:image/jpeg;base64,…` 形式的 data URL。
* **个人信息**：响应只含脱敏信息（审核接口调阅完整信息时留痕）。示例中的证件号码均为虚构号码。
"""


class SscardAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The document, with the error responses described in Chinese (ninja writes the HTTP phrase)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if int(status) in ERROR_DESCRIPTIONS:
                        response["description"] = ERROR_DESCRIPTIONS[int(status)]
        return schema


api = SscardAPI(title="重庆市第三代社保卡业务经办 API", version="1", description=DESCRIPTION, urls_namespace="api",
                auth=AUTH, renderer=ChineseJSONRenderer(), parser=StrictParser(),
                docs_decorator=docs_behind_sign_in)  # behind sign-in in production (SSCARD_API_DOCS_PUBLIC)
api.add_decorator(path_screen(api), mode="view")


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    log.info("refused %s (%s)", exc.code, request.path)
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = []
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "payload"))
        fields.append({"field": loc, "error": err.get("msg", "")})
    names = "、".join(f["field"] for f in fields if f["field"]) or "请求内容"
    body = {"code": "INPUT_INVALID", "message": f"请求数据不正确：{names}", "rule": "", "details": {"fields": fields}}
    return api.create_response(request, body, status=400)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    body = {"code": "NOT_AUTHENTICATED", "message": "未登录或凭据无效", "rule": "", "details": {}}
    return api.create_response(request, body, status=401)


# The HttpError statuses answered with their own code (ninja raises 400 for a body it cannot parse, 403 for
# CSRF / authorisation, 429 when throttled).  Codes are spelled out so each is registered (api.errors); any
# other status keeps its status with the code HTTP_ERROR.
_HTTP_CODES = {400: "HTTP_400", 403: "HTTP_403", 405: "HTTP_405", 413: "HTTP_413", 429: "HTTP_429"}
_HTTP_MESSAGES = {400: "请求格式不正确（无法解析请求内容）", 403: "无权访问", 405: "不支持该请求方法",
                  413: "请求内容过大", 429: "请求过于频繁，请稍后重试"}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # ninja's 400 around a body api.parsing refused
        return _domain_error(request, exc.__cause__)
    message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    body = {"code": _HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), "message": message, "rule": "",
            "details": {}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    body = {"code": "NOT_FOUND", "message": "未找到", "rule": "", "details": {}}
    return api.create_response(request, body, status=404)


# A body Django cannot take (it reads it lazily, while ninja resolves a route's parameters or the CSRF check
# of the session sign-in reads the form): the API's own error, never Django's HTML 400 or a 500.
def _refusal(request, status: int, code: str, message: str, **details):
    body = {"code": code, "message": message, "rule": "", "details": details}
    return api.create_response(request, body, status=status)


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _refusal(request, 413, "BODY_TOO_LARGE",
                    f"请求内容过大（上传文件以外的部分不能超过 {limit} 字节）", limit_bytes=limit)


@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _too_many_parts(request, exc):
    return _refusal(request, 400, "BODY_TOO_MANY_PARTS", "请求中的字段或文件过多")


@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def _unparsable(request, exc):
    return _refusal(request, 400, "BODY_UNPARSABLE",
                    "请求内容无法解析（与 Content-Type 不符，如 multipart 缺少分隔符，或内容不完整）")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    log.warning("suspicious request refused: %s", type(exc).__name__)
    return _refusal(request, 400, "REQUEST_REFUSED", "请求不符合要求，已拒绝")


def _register_routers():
    for prefix, router in ROUTERS:
        api.add_router(prefix, router)


_register_routers()
