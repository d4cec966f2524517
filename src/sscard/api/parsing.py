"""What the API reads from a request before a route sees it: strict JSON, and text the database can hold.

* JSON bodies (``StrictParser.parse_body``, ninja's parser): UTF-8 JSON as RFC 8259 has it, no ``NaN`` /
  ``Infinity``, no key twice in one object (which of the two would count is the reader's guess).
* Text anywhere in the request (path, query, form fields, JSON strings and keys) has no NUL and no lone
  surrogate: PostgreSQL refuses a NUL in a text value and no driver encodes a lone surrogate as UTF-8, so
  either would come back as a server error from deep inside a service.

A problem is an ``InvalidInput`` with a stable code (``api.errors``); ninja wraps a body's in its
``HttpError(400)``, which ``api.root`` unwraps again, so the caller always sees the code.
"""

import functools
import json
import re
from typing import Any

from ninja.parser import Parser

from sscard.core.errors import InvalidInput

# U+0000 and the surrogate code points U+D800-U+DFFF (a lone one is what "\ud800" in JSON decodes to).
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


def bad_text(value: str) -> bool:
    return _BAD_TEXT.search(value) is not None


def _refuse_text(where: str) -> InvalidInput:
    return InvalidInput("TEXT_CHARACTER_INVALID", f"{where}含有不允许的字符（NUL 或不成对的代理字符）",
                        details={"where": where})


def _check_strings(value: Any) -> None:
    """Walk a decoded JSON value; strings and keys must be clean."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if bad_text(item):
                raise _refuse_text("请求内容")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        if bad_text(twice):
            raise _refuse_text("请求内容")
        raise InvalidInput("JSON_DUPLICATE_KEY", f"请求内容中同一对象的字段“{twice[:40]}”出现了不止一次",
                           details={"key": twice[:40]})
    return obj


def _no_constant(name: str):
    raise InvalidInput("JSON_INVALID", f"请求内容不是合法的 JSON（{name} 不是 JSON 的值）")


def loads_strict(raw: bytes | str) -> Any:
    """Decode a JSON text strictly (see the module docstring); any problem is an ``InvalidInput``."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("JSON_INVALID", "请求内容不是 UTF-8 编码的 JSON") from None
    try:
        value = json.loads(raw, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput("JSON_INVALID", f"请求内容不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）",
                           details={"line": exc.lineno, "column": exc.colno}) from None
    except RecursionError:
        raise InvalidInput("JSON_INVALID", "请求内容的 JSON 嵌套过深") from None
    _check_strings(value)
    return value


class StrictParser(Parser):
    """Ninja's parser for the API: JSON bodies and query / form fields as this module says."""

    def parse_body(self, request):
        return loads_strict(request.body)

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if bad_text(key) or any(isinstance(v, str) and bad_text(v) for v in values):
                raise _refuse_text("查询参数或表单字段")
        return super().parse_querydict(data, list_fields, request)


def path_screen(api):
    """A view decorator for the whole API (``api.add_decorator(path_screen(api), mode="view")``): a path with
    bad text is refused before authentication and parsing (path parameters go into the services' queries)."""

    def decorate(run):
        @functools.wraps(run)
        def screened(request, *args, **kwargs):
            if bad_text(request.path):
                return api.on_exception(request, _refuse_text("请求路径"))
            return run(request, *args, **kwargs)

        return screened

    return decorate
