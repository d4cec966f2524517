"""Domain errors: one type, a stable code, a Chinese message, an HTTP status, rendered in one place.

Services raise these; the API turns them into ``{"code", "message", "rule", "details"}`` with the status.
Messages name what is missing or why, and cite the rule (catalogue key) where one applies; they never
carry personal data in clear.

Every code is registered once, in the ``errors`` module of the app that raises it (``ERROR_CODES``, an
``ErrorCodes`` of ``ErrorCode`` entries), with its status and what it means in general, so clients have
one list (``docs/ERRORS.md``, written by ``manage.py error_codes``) and a meta-test can hold the source to
it.  The raise sites keep their own specific messages.
"""

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


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

    def __reduce__(self):
        """Pickle by the constructor's arguments (the default replays ``args``, which this constructor does
        not take), so an error raised in a batch-checking worker process reaches the caller whole."""
        return functools.partial(type(self), self.code, self.message, rule=self.rule, details=self.details,
                                 status=self.status), ()


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


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class ErrorCode:
    """One code: the HTTP status it is answered with and what it means in general (Chinese).

    ``status`` is None only for a code whose status is the one of the HTTP error it reports (``HTTP_ERROR``).
    ``other_statuses`` lists statuses some raise sites use besides ``status`` (a pre-check refuses with 422
    what a race caught at the database answers with 409); the meta-test requires each to be used.
    """

    code: str
    status: int | None
    message_zh: str
    other_statuses: tuple[int, ...] = ()

    def __post_init__(self):
        if not _CODE.fullmatch(self.code):
            raise ValueError(f"error code {self.code!r} is not UPPER_SNAKE")
        for status in (self.status, *self.other_statuses):
            if status is not None and not 400 <= status <= 599:
                raise ValueError(f"error code {self.code}: {status} is not an HTTP error status")
        if self.status in self.other_statuses or (self.other_statuses and self.status is None):
            raise ValueError(f"error code {self.code}: other_statuses repeat or lack the main status")
        if not self.message_zh.strip():
            raise ValueError(f"error code {self.code} has no message")

    @property
    def statuses(self) -> tuple[int | None, ...]:
        return (self.status, *self.other_statuses)


class ErrorCodes:
    """One app's registry: its ``errors`` module defines ``ERROR_CODES = ErrorCodes("<label>", [...])``."""

    def __init__(self, app_label: str, entries: Iterable[ErrorCode]):
        self.app_label = app_label
        self.entries = tuple(entries)
        self._by_code = {e.code: e for e in self.entries}
        if len(self._by_code) != len(self.entries):
            codes = [e.code for e in self.entries]
            raise ValueError(f"{app_label}: error codes registered twice: "
                             f"{sorted({c for c in codes if codes.count(c) > 1})}")

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def __getitem__(self, code: str) -> ErrorCode:
        return self._by_code[code]


def error_code_index(registries: Iterable[ErrorCodes]) -> dict[str, tuple[str, ErrorCode]]:
    """Code -> (app label, entry); a code registered by two apps is refused (``ImproperlyConfigured``)."""
    index: dict[str, tuple[str, ErrorCode]] = {}
    for registry in registries:
        for entry in registry:
            if entry.code in index:
                raise ImproperlyConfigured(f"error code {entry.code} is registered by both "
                                           f"{index[entry.code][0]} and {registry.app_label}")
            index[entry.code] = (registry.app_label, entry)
    return index


def all_error_codes() -> list[ErrorCodes]:
    """Every project app's ``errors.ERROR_CODES``, in ``INSTALLED_APPS`` order; refuses duplicates.

    An app without an ``errors`` module raises no codes; one that has it must define ``ERROR_CODES`` under
    its own label (``ImproperlyConfigured`` otherwise), so a registry cannot be silently skipped.
    """
    project = __name__.split(".")[0]
    registries = []
    for config in apps.get_app_configs():
        if config.name.split(".")[0] != project or find_spec(f"{config.name}.errors") is None:
            continue
        registry = getattr(import_module(f"{config.name}.errors"), "ERROR_CODES", None)
        if not isinstance(registry, ErrorCodes) or registry.app_label != config.label:
            raise ImproperlyConfigured(f"{config.name}.errors must define "
                                       f"ERROR_CODES = ErrorCodes({config.label!r}, [...])")
        registries.append(registry)
    error_code_index(registries)
    return registries


# The core app's own codes: those of the Idempotency-Key middleware (core.idempotency) and core.unavailable.
ERROR_CODES = ErrorCodes("core", [
    ErrorCode("IDEMPOTENCY_KEY_INVALID", 400, "Idempotency-Key 请求头格式不正确（8-100位字母、数字或 ._:-）"),
    ErrorCode("IDEMPOTENCY_IN_PROGRESS", 409, "使用相同 Idempotency-Key 的请求仍在处理中，请稍后重试"),
    ErrorCode("IDEMPOTENCY_KEY_REUSED", 422, "该 Idempotency-Key 已用于另一笔内容不同的请求"),
    # core.unavailable: the database is away (restart, failover); retry later with the same Idempotency-Key
    ErrorCode("SERVICE_UNAVAILABLE", 503, "服务暂时不可用（数据库连接中断），请稍后重试；未保存任何内容"),
    # the middleware reads the body to hash it; the API (api.root) answers the same when a route reads it
    ErrorCode("BODY_TOO_LARGE", 413, "请求内容过大（上传文件以外的部分超过 SSCARD_MAX_BODY_BYTES）"),
])
