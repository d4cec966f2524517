"""Domain errors: one type, a stable code, a Chinese message, an HTTP status, rendered in one place.

Services raise these; the API turns them into ``{"code", "message", "rule", "details"}`` with the status.
Messages name what is missing or why, and cite the rule (catalogue key) where one applies; they never
carry personal data in clear.
"""

from typing import Any


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, rule: str = "", details: dict[str, Any] | None = None,
                 status: int | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.rule = rule
        self.details = details or {}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "rule": self.rule, "details": self.details}


class Refused(DomainError):
    """The procedure does not allow this (business, channel, role) or the materials are incomplete."""

    status = 422


class InvalidInput(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The subject is not in a state that allows the change (state machine refused it)."""

    status = 409
