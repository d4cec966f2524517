"""The error-code registries hold the source, read with ``ast`` (``sscard.testing.error_scan``).

Every code a non-test module can produce is registered, with the status its raise sites answer with, in
the lowest app that raises it; no code is built at run time (except the sites listed in KNOWN_DYNAMIC);
and every registered code and status is produced somewhere, so the registry has no dead entries.
"""

import functools
import pickle
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

import sscard
from sscard.core.errors import (
    Conflict,
    ErrorCode,
    ErrorCodes,
    Refused,
    all_error_codes,
    error_code_index,
)
from sscard.people.errors import KEY_INFO_NOT_CHANGEABLE
from sscard.testing.error_scan import Site, scan, source_files

SRC = Path(sscard.__file__).resolve().parents[1]

# Code positions that still build their code at run time, in files being moved by another change (they
# must not be edited now): (path, code expression as written) -> the registered codes it can produce.
# Once such a site looks its code up in a table (people.errors.KEY_INFO_NOT_CHANGEABLE), drop its entry.
KNOWN_DYNAMIC: dict = {}


@functools.cache
def _scan():
    return scan(source_files(SRC))


def _sites(result) -> list[Site]:
    """The scanned sites, plus one per code each known dynamic position can produce."""
    sites = list(result.sites)
    for d in result.dynamic:
        for code in KNOWN_DYNAMIC.get((d.path, d.expr), ()):
            sites.append(Site(code, d.status, d.path, d.line, d.via))
    return sites


def _index():
    return error_code_index(all_error_codes())


def _unregistered(sites, index) -> list[str]:
    return sorted(f"{s.code} ({s.path}:{s.line})" for s in sites if s.code not in index)


def _wrong_status(sites, index) -> list[str]:
    return sorted(f"{s.code}: {s.status} at {s.path}:{s.line}, registered {index[s.code][1].statuses}"
                  for s in sites if s.code in index and s.status not in index[s.code][1].statuses)


# --------------------------------------------------------------------------- the source against the registry


def test_every_code_raised_is_registered():
    assert _unregistered(_sites(_scan()), _index()) == [], "register it in sscard/<app>/errors.py"


def test_registered_status_is_the_raise_sites_status():
    assert _wrong_status(_sites(_scan()), _index()) == []


def test_every_registered_code_and_status_is_produced():
    used: dict[str, set] = {}
    for site in _sites(_scan()):
        used.setdefault(site.code, set()).add(site.status)
    dead = [f"{code} ({app})" for code, (app, _) in _index().items() if code not in used]
    assert dead == [], "registered but never raised: remove them"
    unused = [f"{code}: {status}" for code, (_, entry) in _index().items()
              for status in entry.statuses if status not in used[code]]
    assert unused == [], "a registered status no raise site uses"


def test_each_code_is_registered_in_the_lowest_app_raising_it():
    order = [config.label for config in apps.get_app_configs()]
    raised_by: dict[str, set[str]] = {}
    for site in _sites(_scan()):
        raised_by.setdefault(site.code, set()).add(site.app)
    misplaced = [f"{code}: in {app}, raised by {sorted(raised_by[code])}"
                 for code, (app, _) in _index().items()
                 if code in raised_by and app != min(raised_by[code], key=order.index)]
    assert misplaced == []


def test_no_code_is_built_at_run_time():
    built = [f"{d.path}:{d.line}: {d.expr}" for d in _scan().dynamic if (d.path, d.expr) not in KNOWN_DYNAMIC]
    assert built == [], "write the code as a literal, or look it up in a module-level table of literals"
    found = {(d.path, d.expr) for d in _scan().dynamic}
    assert set(KNOWN_DYNAMIC) <= found, "a KNOWN_DYNAMIC site is gone: remove its entry"


def test_key_info_table_is_what_people_services_builds():
    """The codes the dynamic site in people.services can produce: its key fields (not changeable)."""
    from sscard.people.services import FIELD_LABELS
    from sscard.policy.catalogue import get_catalogue
    from sscard.policy.choices import Business

    changeable = get_catalogue().business(Business.INFO_CHANGE).changeable_fields
    built = {field: f"KEY_INFO_{field.upper()}_NOT_CHANGEABLE"
             for field in FIELD_LABELS if field not in changeable}
    assert KEY_INFO_NOT_CHANGEABLE == built


def test_every_app_that_raises_codes_has_a_registry():
    registered = {r.app_label for r in all_error_codes()}
    assert {site.app for site in _sites(_scan())} <= registered


# --------------------------------------------------------------------------- the scanner finds what it must


def _with(path: str, text: str):
    return scan({**source_files(SRC), path: text})


def test_an_unregistered_new_code_fails_the_check():
    result = _with("sscard/cards/extra.py", "from sscard.core.errors import Refused\n\n\n"
                                             "def card_extra():\n"
                                             "    raise Refused(\"NEW_CODE\", \"新的拒绝理由\")\n")
    site = next(s for s in result.sites if s.code == "NEW_CODE")
    assert (site.status, site.app, site.line) == (422, "cards", 5)
    assert _unregistered(_sites(result), _index()) == ["NEW_CODE (sscard/cards/extra.py:5)"]


def test_a_registered_code_raised_with_another_status_fails_the_check():
    result = _with("sscard/cards/extra.py", "from sscard.core import errors\n"
                                             "err = errors.Conflict(code='CARD_NOT_FOUND', message='x')\n")
    assert _wrong_status(_sites(result), _index()) == [
        "CARD_NOT_FOUND: 409 at sscard/cards/extra.py:2, registered (404,)"]


def test_built_codes_are_reported():
    result = _with("sscard/cards/extra.py", "from sscard.core.errors import InvalidInput, Refused\n"
                                             "def a(x):\n    raise Refused(f'CARD_{x}', '')\n"
                                             "def b(x):\n    raise Refused('CARD_' + x, '')\n"
                                             "def c():\n    code = 'CARD_NOT_FOUND'\n"
                                             "    raise Refused(code, '')\n"
                                             "def d(args):\n    raise InvalidInput(*args)\n")
    assert [(d.path, d.expr, d.status) for d in result.dynamic if d.path == "sscard/cards/extra.py"] == [
        ("sscard/cards/extra.py", "f'CARD_{x}'", 422), ("sscard/cards/extra.py", "'CARD_' + x", 422),
        ("sscard/cards/extra.py", "code", 422), ("sscard/cards/extra.py", "*args", 400)]


def test_helpers_tables_bodies_returns_status_overrides_and_device_errors_are_followed():
    source = '''
from django.http import JsonResponse
from sscard.core.errors import Forbidden, InvalidInput
from sscard.hardware.interfaces import PIN_WEAK, DeviceError, PinEntryError

LIMIT = "X_LIMIT"
_BY_KIND = {"a": "X_KIND_A", "b": "X_KIND_B"}
_BY_STATUS = {400: "X_400", 404: "X_404"}


class Jammed(DeviceError):
    status = 503

    def __init__(self, device, reason="X_JAMMED"):
        super().__init__(device, reason)


def _err(code, text):
    return InvalidInput(code, text)


def _twice(text, code):
    raise _err(code, text)


def _body(status, code):
    return JsonResponse({"code": code, "message": "m"}, status=status)


def f(kind, exc):
    _twice("t", "X_VIA_TWO_HELPERS")
    _body(409, "X_BODY")
    body = {"code": _BY_STATUS.get(exc.status, "X_OTHER"), "message": "m"}
    send(body, status=exc.status)
    raise Forbidden(LIMIT if kind else _BY_KIND[kind], "m", status=401)


def g():
    raise Jammed("printer")


def h():
    raise PinEntryError(PIN_WEAK)


def _pick(x):
    if x:
        return "X_PICKED"
    return None


def k(x):
    problem = _pick(x)
    if problem:
        raise InvalidInput(problem, "m")
'''
    result = _with("sscard/cards/extra.py", source)
    found = sorted((s.code, s.status, s.via) for s in result.sites if s.path == "sscard/cards/extra.py")
    assert found == [("PIN_WEAK", 400, "PinEntryError"), ("X_400", 400, "body"), ("X_404", 404, "body"),
                     ("X_BODY", 409, "body"), ("X_JAMMED", 503, "Jammed"), ("X_KIND_A", 401, "Forbidden"),
                     ("X_KIND_B", 401, "Forbidden"), ("X_LIMIT", 401, "Forbidden"), ("X_OTHER", None, "body"),
                     ("X_PICKED", 400, "InvalidInput"), ("X_VIA_TWO_HELPERS", 400, "InvalidInput")]
    assert [d for d in result.dynamic if d.path == "sscard/cards/extra.py"] == []


# --------------------------------------------------------------------------- the registry type


def test_registry_refuses_duplicates_and_malformed_entries():
    with pytest.raises(ValueError, match="registered twice"):
        ErrorCodes("x", [ErrorCode("A_B", 400, "甲"), ErrorCode("A_B", 400, "乙")])
    with pytest.raises(ImproperlyConfigured, match="A_B is registered by both x and y"):
        error_code_index([ErrorCodes("x", [ErrorCode("A_B", 400, "甲")]),
                          ErrorCodes("y", [ErrorCode("A_B", 409, "乙")])])
    for bad in [("a_b", 400, "甲"), ("A-B", 400, "甲"), ("A_B", 200, "甲"), ("A_B", 400, " "),
                ("A_B", 422, "甲", (422,)), ("A_B", None, "甲", (400,))]:
        with pytest.raises(ValueError):
            ErrorCode(*bad)


def test_registries_come_from_every_project_app_in_order():
    labels = [r.app_label for r in all_error_codes()]
    order = [config.label for config in apps.get_app_configs()]
    assert labels == sorted(labels, key=order.index)
    assert {"core", "people", "cards", "desk", "api"} <= set(labels)


def test_domain_errors_pickle_whole():
    """A batch-checking worker process sends its error back by pickling it."""
    for error in (Refused("X_Y", "消息", rule="规则", details={"a": 1}), Conflict("X_Y", "消息", status=503)):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), copy.as_dict(), copy.status) == (type(error), error.as_dict(), error.status)
        assert str(copy) == str(error)
