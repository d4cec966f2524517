"""Log lines that cannot be forged and carry no personal data.

``JsonFormatter`` (the production default, ``SSCARD_LOG_FORMAT=json``) writes one JSON object a line:
``time`` (UTC, ISO 8601 with its ``+00:00`` offset), ``level``, ``logger``, ``message``, ``request_id``
(``-`` outside a request), and ``status`` / ``exc`` when the record has them.  Every control character
of a message (a ``%0A`` in a request path) is a JSON escape, so a line is always one whole record; the
line separators JSON itself allows raw (U+2028, U+2029, NEL, DEL) are escaped too.

``PlainFormatter`` (the developer console, ``SSCARD_LOG_FORMAT=plain``) writes the same fields as text,
the message's control characters escaped as ``\\n``, ``\\x1b``, ....

Both pass the message through ``redact``: anything shaped like an ID number (15 or 18 digits) or a
mainland mobile number is replaced before it is written, whoever logged it.
"""

import datetime as dt
import json
import logging
import re
import unicodedata

from sscard.core import context

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(?:[1-9]\d{16}[\dXx]|[1-9]\d{14})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# Characters a JSON encoder leaves raw but that some readers take for a line break.
_JSON_RAW_BREAKS = {"\x7f": "\\u007f", "\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_RAW_BREAKS_RE = re.compile("[\x7f\x85\u2028\u2029]")


def redact(text: str) -> str:
    return _MOBILE.sub("[mobile]", _ID_NUMBER.sub("[id-number]", text))


def escape_controls(text: str) -> str:
    """Control characters and line / paragraph separators as visible escapes (``\\n``, ``\\x1b``)."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or ch == " " or unicodedata.category(ch) not in {"Cc", "Zl", "Zp", "Cf"}:
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def _utc_time(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")


def _request_id(record: logging.LogRecord) -> str:
    # Django logs a response's status after the middleware has left (extra={"request": ...}): read it there
    return context.request_id.get() or getattr(getattr(record, "request", None), "request_id", None) or "-"


def _message(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string must not lose the record
        message = f"{record.msg!r} {record.args!r}"
    return redact(message)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": _utc_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": _message(record),
            "request_id": _request_id(record),
        }
        if isinstance(getattr(record, "status_code", None), int):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = redact(record.exc_text)
        line = json.dumps(entry, ensure_ascii=False, default=str)
        return _JSON_RAW_BREAKS_RE.sub(lambda m: _JSON_RAW_BREAKS[m.group()], line)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = (f"{_utc_time(record)} {record.levelname} [{_request_id(record)}] {record.name} "
                f"{escape_controls(_message(record))}")
        if record.exc_info:
            line += "\n" + redact(self.formatException(record.exc_info))  # the developer's traceback
        return line


def logging_config(*, fmt: str, level: str) -> dict:
    """The ``LOGGING`` setting: everything to the console (stderr) in the chosen format."""
    formatter = {"json": "sscard.core.logs.JsonFormatter", "plain": "sscard.core.logs.PlainFormatter"}[fmt]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"sscard": {"()": formatter}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "sscard"}},
        "root": {"handlers": ["console"], "level": level},
        # Django's own loggers keep their levels but write through the same handler and format.
        "loggers": {"django": {"handlers": [], "level": level, "propagate": True},
                    "django.server": {"handlers": [], "level": level, "propagate": True}},
    }
