"""503, not 500, while the database is away (a restart, a failover, a lost connection).

A request that meets ``OperationalError`` / ``InterfaceError`` from the database gets 503 with
``Retry-After`` and the API's error body (code ``SERVICE_UNAVAILABLE``): a client, a kiosk or the load
balancer retries later, with the same Idempotency-Key for a POST, and nothing of the failed request was
kept (its transaction never committed).  The view's errors come through ``DatabaseUnavailableMiddleware``;
those of a middleware (the Idempotency-Key insert is the first write of a POST) through ``server_error``,
the project's ``handler500`` (config.urls).  Every other error keeps Django's 500.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def _unavailable() -> JsonResponse:
    body = {"code": "SERVICE_UNAVAILABLE", "message": "服务暂时不可用（数据库连接中断），请稍后重试",
            "rule": "", "details": {}}
    response = JsonResponse(body, status=503, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _database_away(exc: BaseException | None) -> bool:
    return isinstance(exc, (OperationalError, InterfaceError))


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if _database_away(exc):
            log.error("database unavailable: %s", type(exc).__name__)
            return _unavailable()
        return None


def server_error(request, *args, **kwargs):
    if _database_away(sys.exc_info()[1]):
        return _unavailable()
    return defaults.server_error(request, *args, **kwargs)
