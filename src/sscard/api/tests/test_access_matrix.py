"""Access matrix: every API operation, called by every kind of caller, with a valid body.

Allowed callers get past the access check (the business itself may still refuse, e.g. a wrong password,
an unknown request or a channel the catalogue rules out); every other caller gets 403, and anonymous
callers 401.  The table must list every
operation of the served OpenAPI document, so a new endpoint cannot ship without its access rule.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

CALLERS = ("clerk", "reviewer", "supervisor", "auditor", "hotline", "admin", "kiosk", "citizen")
CHANNEL = {"clerk", "hotline", "kiosk", "citizen"}
ALL = set(CALLERS)
NO = "YW2026112600000000"
BATCH_READERS = {"clerk", "kiosk", "supervisor", "admin"}
MULTIPART = {
    "multipart_batch": lambda: {"meta": "{}", "workbook": SimpleUploadedFile("b.xlsx", b"x"),
                                "scans": SimpleUploadedFile("s.zip", b"x")},
    "multipart_result": lambda: {"kind": "bank_result", "file": SimpleUploadedFile("r.csv", b"x")},
}

# (method, path) -> (who may call, body)
MATRIX = {
    ("post", "/auth/staff-token"): (ALL | {"anonymous"}, {"username": "nobody", "password": "x"}),
    ("post", "/auth/citizen-token"): (ALL | {"anonymous"}, {"id_number": "110105194912310021", "password": "x"}),
    ("get", "/auth/me"): (ALL, None),
    ("post", "/cards/info-change"): (CHANNEL, "card_body+changes"),
    ("post", "/cards/loss/report"): (CHANNEL, "card_body"),
    ("post", "/cards/loss/withdraw"): (CHANNEL, "card_body"),
    ("post", "/cards/unlock"): (CHANNEL, "card_body"),
    ("post", "/cards/cancel"): (CHANNEL, "card_body"),
    ("post", "/cards/rollback"): (CHANNEL, "card_body"),
    ("post", "/cards/status-query"): (CHANNEL, "card_body"),
    ("post", "/cards/pin/change"): (CHANNEL, "card_body"),
    ("post", "/cards/pin/reset"): (CHANNEL, "card_body"),
    ("post", "/cards/pin/verify"): (CHANNEL, "card_body"),
    ("post", "/cards/reissue"): (CHANNEL, "card_body+reason"),
    ("post", "/cards/replace"): (CHANNEL, "card_body+reason"),
    ("post", "/cards/renew"): (CHANNEL, "card_body+reason"),
    ("post", "/cards/activate"): (CHANNEL, "card_body"),
    ("post", "/applications"): (CHANNEL, "apply_body"),
    ("get", "/applications/review-queue"): ({"reviewer", "supervisor"}, None),
    ("get", "/applications/mine"): ({"citizen"}, None),
    ("get", "/requests/{no}/review-detail"): ({"reviewer", "supervisor"}, None),
    ("get", "/requests/{no}/images/{item_id}"): ({"reviewer", "supervisor"}, None),
    ("get", "/requests/overdue"): ({"supervisor", "admin"}, None),
    ("get", "/requests/{no}"): (ALL, None),
    ("post", "/requests/{no}/approve"): ({"reviewer", "supervisor"}, {}),
    ("post", "/requests/{no}/reject"): ({"reviewer", "supervisor"}, {"reason": "材料不清晰"}),
    ("post", "/requests/{no}/present-voucher"): ({"clerk"}, {"voucher_no": "PZ2026112600000000"}),
    ("post", "/requests/{no}/signed-form"): ({"clerk"}, {"reference": "QZ-1"}),
    ("post", "/requests/{no}/settle-fee"): ({"clerk"}, {"method": "paid"}),
    ("post", "/requests/{no}/finish-production"): ({"clerk", "supervisor", "admin"}, {}),
    ("post", "/requests/{no}/dispatch"): ({"supervisor", "admin"}, {"tracking_no": "SF123"}),
    ("post", "/requests/{no}/hand-over"): ({"clerk"}, {"originals_checked": []}),
    ("post", "/requests/{no}/deliver"): ({"supervisor", "admin"}, {}),
    ("post", "/requests/{no}/void"): ({"citizen", "clerk", "supervisor", "admin"}, {"reason": "不需要了"}),
    ("get", "/requests/{no}/form.pdf"): ({"clerk"}, None),
    ("get", "/requests/{no}/voucher.pdf"): ({"clerk", "kiosk"}, None),
    ("get", "/batches/templates/{kind}.xlsx"): ({"clerk", "kiosk", "supervisor", "admin"}, None),
    ("post", "/employers"): ({"clerk", "admin"}, {"uscc": "91500103MA5U00003N", "name": "重庆测试有限公司"}),
    ("get", "/employers/{uscc}"): ({"clerk", "supervisor", "admin"}, None),
    ("post", "/employers/{uscc}/handlers"): ({"clerk", "admin"}, {"doc_type": "id_card", "number": "110105194912310021",
                                                                   "name": "张三"}),
    ("post", "/employers/{uscc}/handlers/{handler_id}/deactivate"): ({"clerk", "admin"}, {}),
    ("post", "/batches"): ({"clerk", "kiosk"}, "multipart_batch"),
    ("post", "/batches/paper"): ({"clerk", "kiosk"}, "paper_batch"),
    ("get", "/batches/{batch_no}"): (BATCH_READERS, None),
    ("get", "/batches/{batch_no}/rows"): (BATCH_READERS, None),
    ("get", "/batches/{batch_no}/errors.xlsx"): (BATCH_READERS, None),
    ("get", "/production/batches/{batch_no}"): (BATCH_READERS, None),
    ("get", "/batches/{batch_no}/fee"): (BATCH_READERS, None),
    ("get", "/batches/{batch_no}/voucher.pdf"): ({"clerk", "kiosk"}, None),
    ("post", "/batches/{batch_no}/settle-fee"): ({"clerk"}, {"method": "paid"}),
    ("post", "/production/orders/{order_no}/arrive"): ({"clerk"}, {}),
    ("post", "/production/batches/{batch_no}/pickup"): ({"clerk"}, "handler_body"),
    ("post", "/production/to-individual"): (CHANNEL, "card_body"),
    ("get", "/production/overdue"): ({"supervisor", "admin"}, None),
    ("post", "/production/results"): ({"supervisor", "admin"}, "multipart_result"),
    ("post", "/production/exchange/run"): ({"supervisor", "admin"}, {}),
}


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
    assert served == set(MATRIX)


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
