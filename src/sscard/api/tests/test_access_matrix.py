"""Access matrix: every API operation, called by every kind of caller, with a valid body.

Who may call a route is not written here: each route names its operation (``@operation(...)``,
``sscard.api.auth``) and the access table (``sscard.staff.permissions.OPERATIONS``) says who may do it.
Allowed callers get past the access check (the business itself may still refuse, e.g. a wrong password,
an unknown request or a channel the catalogue rules out); every other caller gets 403, and anonymous
callers 401.  ``BODIES`` must list every operation of the served OpenAPI document, and the meta-tests
below fail when a route of the URL resolver names no operation of the table, or when an entry of the
table is used by no route and no service.
"""

import ast
import inspect
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver

from sscard.staff import permissions
from sscard.staff.actors import Actor
from sscard.staff.permissions import OPERATIONS
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

CALLERS = ("clerk", "reviewer", "supervisor", "auditor", "hotline", "admin", "kiosk", "citizen")
NO = "YW2026112600000000"
MULTIPART = {
    "multipart_batch": lambda: {"meta": "{}", "workbook": SimpleUploadedFile("b.xlsx", b"x"),
                                "scans": SimpleUploadedFile("s.zip", b"x")},
    "multipart_result": lambda: {"kind": "bank_result", "file": SimpleUploadedFile("r.csv", b"x")},
}

# (method, path) -> a body that passes input validation (test data; who may call comes from the table)
BODIES = {
    ("post", "/auth/staff-token"): {"username": "nobody", "password": "x"},
    ("post", "/auth/citizen-token"): {"id_number": "110105194912310021", "password": "x"},
    ("get", "/auth/me"): None,
    ("post", "/auth/sign-out"): None,
    ("post", "/auth/revoke-all"): None,
    ("post", "/cards/info-change"): "card_body+changes",
    ("post", "/cards/loss/report"): "card_body",
    ("post", "/cards/loss/withdraw"): "card_body",
    ("post", "/cards/unlock"): "card_body",
    ("post", "/cards/cancel"): "card_body",
    ("post", "/cards/rollback"): "card_body",
    ("post", "/cards/status-query"): "card_body",
    ("post", "/cards/pin/change"): "card_body",
    ("post", "/cards/pin/reset"): "card_body",
    ("post", "/cards/pin/verify"): "card_body",
    ("post", "/cards/reissue"): "card_body+reason",
    ("post", "/cards/replace"): "card_body+reason",
    ("post", "/cards/renew"): "card_body+reason",
    ("post", "/cards/activate"): "card_body",
    ("post", "/applications"): "apply_body",
    ("get", "/applications/review-queue"): None,
    ("get", "/applications/mine"): None,
    ("get", "/requests/{no}/review-detail"): None,
    ("get", "/requests/{no}/images/{item_id}"): None,
    ("get", "/requests/overdue"): None,
    ("get", "/requests/{no}"): None,
    ("post", "/requests/{no}/approve"): {},
    ("post", "/requests/{no}/reject"): {"reason": "材料不清晰"},
    ("post", "/requests/{no}/present-voucher"): {"voucher_no": "PZ2026112600000000"},
    ("post", "/requests/{no}/signed-form"): {"reference": "QZ-1"},
    ("post", "/requests/{no}/settle-fee"): {"method": "paid"},
    ("post", "/requests/{no}/finish-production"): {},
    ("post", "/requests/{no}/dispatch"): {"tracking_no": "SF123"},
    ("post", "/requests/{no}/hand-over"): {"originals_checked": []},
    ("post", "/requests/{no}/deliver"): {},
    ("post", "/requests/{no}/void"): {"reason": "不需要了"},
    ("get", "/requests/{no}/form.pdf"): None,
    ("get", "/requests/{no}/voucher.pdf"): None,
    ("get", "/batches/templates/{kind}.xlsx"): None,
    ("post", "/employers"): {"uscc": "91500103MA5U00003N", "name": "重庆测试有限公司"},
    ("get", "/employers/{uscc}"): None,
    ("post", "/employers/{uscc}/handlers"): {"doc_type": "id_card", "number": "110105194912310021",
                                             "name": "张三"},
    ("post", "/employers/{uscc}/handlers/{handler_id}/deactivate"): {},
    ("post", "/batches"): "multipart_batch",
    ("post", "/batches/paper"): "paper_batch",
    ("get", "/batches/{batch_no}"): None,
    ("get", "/batches/{batch_no}/rows"): None,
    ("post", "/batches/{batch_no}/errors.xlsx"): "handler_body",
    ("get", "/production/batches/{batch_no}"): None,
    ("get", "/batches/{batch_no}/fee"): None,
    ("get", "/batches/{batch_no}/voucher.pdf"): None,
    ("post", "/batches/{batch_no}/settle-fee"): {"method": "paid"},
    ("post", "/production/orders/{order_no}/arrive"): {},
    ("post", "/production/batches/{batch_no}/pickup"): "handler_body",
    ("post", "/production/to-individual"): "card_body",
    ("get", "/production/overdue"): None,
    ("post", "/production/results"): "multipart_result",
    ("post", "/production/exchange/run"): {},
    ("post", "/ecard/code"): {},
    ("post", "/ecard/verify"): {"code": "EC1"},
}

API_PREFIX = "api/v1/"
# URL patterns that are not business operations: the admin site, the API's docs page, document and index.
NOT_OPERATIONS = ("admin/", "api/v1/docs", "api/v1/openapi.json", "api/v1/")
SRC = Path(__file__).resolve().parents[2]  # src/sscard


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _ninja_operations(pattern) -> list:
    """The ninja operations behind a URL pattern (its view closes over ninja's PathView), or []."""
    try:
        path_view = inspect.getclosurevars(pattern.callback).nonlocals.get("self")
    except TypeError:
        return []
    return list(getattr(path_view, "operations", []))


def _exempt(url: str) -> bool:
    """The pages (every URL outside /api/v1/) are matched against the table by web/tests/test_access.py."""
    return not url.startswith(API_PREFIX) or url in NOT_OPERATIONS


def resolver_routes() -> dict[tuple[str, str], str | None]:
    """(method, path) -> the operation the route names, for every route of the URL resolver."""
    routes = {}
    for url, pattern in _patterns(get_resolver().url_patterns):
        if _exempt(url):
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", url.removeprefix(API_PREFIX))
        ops = _ninja_operations(pattern)
        if not ops:
            routes[("*", path)] = None
        for op in ops:
            for method in op.methods:
                routes[(method.lower(), path)] = getattr(op.view_func, "operation", None)
    return routes


ROUTES = resolver_routes()


def _caller(who: str) -> Actor:
    if who in ("kiosk", "citizen"):
        return Actor(kind=who, role=who, name=who, channel="")
    return Actor(kind="staff", role=who, name=who, channel="")


def allowed_callers(operation: str) -> set[str]:
    """The callers of this test the table lets do ``operation`` (and anonymous ones, if it is open)."""
    who = {c for c in CALLERS if permissions.allowed(_caller(c), operation)}
    return who | {"anonymous"} if OPERATIONS[operation].public else who


# (method, path) -> (who may call, body)
MATRIX = {key: (allowed_callers(name), BODIES.get(key)) for key, name in ROUTES.items() if name in OPERATIONS}


@pytest.fixture
def world(outlet):
    person = f.make_person()
    card = f.make_card(person)
    apis = {"anonymous": f.ApiClient(), "kiosk": f.ApiClient(f.token_for(kiosk=f.make_kiosk(outlet))),
            "citizen": f.ApiClient(f.token_for(citizen=f.make_citizen(person)))}
    for role in ("clerk", "reviewer", "supervisor", "auditor", "hotline", "admin"):
        apis[role] = f.ApiClient(f.token_for(staff=f.make_staff(role, outlet if role == "clerk" else None)))
    return person, card, apis


def _body(kind, person, card):
    if not isinstance(kind, str):
        return kind
    doc = {"doc_type": "id_card", "number": person.id_number}
    if kind == "card_body":
        return {"applicant": doc}
    if kind == "card_body+changes":
        return {"applicant": doc, "changes": {"phone": "13911112222"}}
    if kind == "card_body+reason":
        return {"applicant": doc, "reason": "lost"}
    if kind == "handler_body":
        return {"handler": doc}
    if kind == "paper_batch":
        return {"business": "batch_apply", "employer_uscc": "91500103MA5U00003N", "handler": doc,
                "rows": [{"name": "张三"}], "intro_letter_ref": "JS-1"}
    return {"applicant": {**doc, "name": "张三", "birth_date": person.birth_date.isoformat()}}


def test_the_matrix_lists_every_operation(client):
    spec = client.get("/api/v1/openapi.json").json()
    served = {(m, p.removeprefix("/api/v1")) for p, ops in spec["paths"].items() for m in ops}
    assert served == set(MATRIX) == set(BODIES)
    documented = {(m, p.removeprefix("/api/v1")): op.get("x-operation") for p, ops in spec["paths"].items()
                  for m, op in ops.items()}
    assert documented == {key: ROUTES.get(key) for key in documented}


def test_every_route_of_the_url_resolver_names_an_operation_of_the_table():
    unnamed = sorted(key for key, name in ROUTES.items() if name is None)
    unknown = sorted((key, name) for key, name in ROUTES.items() if name and name not in OPERATIONS)
    assert (unnamed, unknown) == ([], [])
    assert len(ROUTES) == len(BODIES)


def _operations_used_in_code() -> dict[str, list[str]]:
    """Operation names passed as literals to ``require`` / ``allowed`` outside the table and the tests."""
    used: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if "tests" in rel.parts or rel == Path("staff/permissions.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            name = node.args[1]
            if func in ("require", "allowed") and isinstance(name, ast.Constant):
                used.setdefault(str(name.value), []).append(f"{rel}:{node.lineno}")
    return used


def test_no_entry_of_the_table_is_dead_and_the_code_names_only_entries():
    in_code = _operations_used_in_code()
    by_routes = {name for name in ROUTES.values() if name}
    by_routes |= {getattr(p.callback, "operation", None) for url, p in _patterns(get_resolver().url_patterns)
                  if not _exempt(url) or not url.startswith(API_PREFIX)} - {None}
    parts = {p for o in OPERATIONS.values() for p in o.any_of}
    dead = sorted(set(OPERATIONS) - by_routes - set(in_code) - parts)
    unknown = {name: where for name, where in in_code.items() if name not in OPERATIONS}
    assert (dead, unknown) == ([], {})


def test_services_check_the_table_too():
    """The window, back-office and production services check their own operations (the API is not their
    only caller)."""
    in_code = _operations_used_in_code()
    for name in ("request.approve", "request.reject", "request.present_voucher", "request.record_signed_form",
                 "request.settle_fee", "request.finish_central", "request.finish_window", "request.dispatch",
                 "request.deliver", "request.hand_over", "request.void", "request.review_detail",
                 "request.review_image", "employer.register", "employer.handler_add",
                 "employer.handler_deactivate", "batch.submit", "batch.settle_fee", "production.order_arrive",
                 "production.batch_pickup", "production.to_individual", "production.import_result",
                 "production.exchange_run"):
        assert any(not w.startswith("api/") for w in in_code.get(name, [])), name


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=["%s %s" % k for k in sorted(MATRIX)])
def test_access(world, method, path):
    person, card, apis = world
    allowed, body_kind = MATRIX[(method, path)]
    url = (re.sub(r"\{no\}", NO, path).replace("{item_id}", "1").replace("{kind}", "new_card")
           .replace("{batch_no}", "PL2026112600000000").replace("{order_no}", "ZK2026112600000000"))
    wrong = []
    for who, api in apis.items():
        if isinstance(body_kind, str) and body_kind in MULTIPART:
            resp = api.client.post(f"/api/v1{url}", data=MULTIPART[body_kind](), headers=api._headers(None))
        else:
            resp = api.get(url) if method == "get" else api.post(url, _body(body_kind, person, card))
        payload = resp.json() if resp["Content-Type"].startswith("application/json") else None
        code = payload.get("code") if isinstance(payload, dict) else None
        if who == "anonymous" and who not in allowed:
            ok = (resp.status_code, code) == (401, "NOT_AUTHENTICATED")
        elif who in allowed:
            ok = code not in ("NOT_AUTHENTICATED", "ACCESS_DENIED") and resp.status_code < 500
        else:
            ok = resp.status_code == 403
        if not ok:
            wrong.append((who, resp.status_code, resp.content[:120]))
    assert wrong == []


def test_a_clerk_without_an_outlet_cannot_exist():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_staff("clerk", None)
