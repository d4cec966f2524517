"""Per-request context that the audit trail reads (request id)."""

import contextvars

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
