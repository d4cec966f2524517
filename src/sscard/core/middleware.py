"""Request id: taken from ``X-Request-ID`` (when sane) or made up; echoed back, put in logs (``core.logs``
reads it from ``core.context``) and audit.  ``Cache-Control: no-store`` on every answer but static files."""

import re
import uuid

from django.conf import settings

from sscard.core import context

_SAFE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = context.request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            context.request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response but static files: API answers and signed-in pages carry
    personal data, and no shared or browser cache may keep them (a response that names its own
    ``Cache-Control`` keeps it only when that already says ``no-store``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None

    def __call__(self, request):
        response = self.get_response(request)
        if self.static_prefix and request.path.startswith(self.static_prefix):
            return response
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
        return response
