"""The JSON API: one NinjaAPI, routers per area, domain errors rendered in one place."""

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from sscard.api.auth import AUTH
from sscard.core.errors import DomainError

log = logging.getLogger(__name__)

class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without \\u escapes, so Chinese messages read as written (the charset is in the header)."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(title="重庆市第三代社保卡业务经办 API", version="1", urls_namespace="api", auth=AUTH,
               renderer=ChineseJSONRenderer())


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
    message = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    body = {"code": _HTTP_CODES.get(exc.status_code, "HTTP_ERROR"), "message": message, "rule": "",
            "details": {}}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    body = {"code": "NOT_FOUND", "message": "未找到", "rule": "", "details": {}}
    return api.create_response(request, body, status=404)


def _register_routers():
    from sscard.api.routers import ROUTERS

    for prefix, router in ROUTERS:
        api.add_router(prefix, router)


_register_routers()
