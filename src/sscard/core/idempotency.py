"""Idempotency-Key for API POSTs.

The whole request runs in one transaction that starts by inserting the key.  A second request with the
same key waits on the unique index until the first commits (PostgreSQL) or on the write lock (SQLite),
then replays the stored response instead of acting again.  A key reused with another body is refused.
"""

import hashlib
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse

from sscard.core import clock
from sscard.core.models import IdempotencyRecord

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,100}$")


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "rule": "", "details": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not _KEY.match(key):
            return _error(400, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key 格式不正确（8-100位字母、数字或 ._:-）")
        try:
            body_hash = hashlib.sha256(request.body).hexdigest()
        except RequestDataTooBig:  # the API's answer to a body over the limit (api.root), not Django's page
            return _error(413, "BODY_TOO_LARGE",
                          f"请求内容过大（上传文件以外的部分不能超过 {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} 字节）")
        # Keys belong to the caller's credential; signed-out callers (sign-in) get one space per body,
        # so two people can never collide on a key and a replay only answers the same request.
        credential = (request.headers.get("Authorization", "") or request.COOKIES.get("sessionid", "")
                      or f"anonymous:{body_hash}")
        principal = hashlib.sha256(credential.encode("utf-8")).hexdigest()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        principal=principal, key=key, method=request.method, path=request.path[:300],
                        body_hash=body_hash, status_code=0, response_body=b"", content_type="",
                        created_at=clock.now(),
                    )
            except IntegrityError:
                # Another request holds or held this key; it has committed by now (the insert waited).
                record = IdempotencyRecord.objects.filter(principal=principal, key=key).first()
                if record is None or record.status_code == 0:
                    return _error(409, "IDEMPOTENCY_IN_PROGRESS", "相同 Idempotency-Key 的请求正在处理，请稍后重试")
            else:
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
                    return response
                record.status_code = response.status_code
                record.response_body = response.content
                record.content_type = response.get("Content-Type", "application/json")
                record.save(update_fields=["status_code", "response_body", "content_type"])
                return response
        if record.body_hash != body_hash or record.path != request.path[:300]:
            return _error(422, "IDEMPOTENCY_KEY_REUSED", "该 Idempotency-Key 已用于另一笔不同的请求")
        replay = HttpResponse(bytes(record.response_body), status=record.status_code, content_type=record.content_type)
        replay["Idempotent-Replay"] = "true"
        return replay

