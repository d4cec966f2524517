"""Shortcuts for tests that need a validated batch: submit through the API (paper route, rows keyed by
the clerk) and run the background validation, then drive production."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.testing import batch_files as bf
from sscard.testing import factories as f


def paper_batch_body(employer, rows: list[dict], *, business: str = "batch_apply",
                     letter: str = "渝中区2026-介绍信-0001") -> dict:
    """The body of a paper-route submission (``POST /batches/paper``) of ``rows`` by the employer's handler."""
    emp, handler = employer
    return {"business": business, "employer_uscc": emp.uscc,
            "handler": {"doc_type": "id_card", "number": handler.id_number}, "evidence": f.window_evidence(),
            "rows": rows, "intro_letter_ref": letter}


def paper_batch(clerk_api, employer, rows: list[dict], *, business: str = "batch_apply", capture=None) -> str:
    """Submit ``rows`` by the paper route; returns the batch number (validation ran on commit)."""
    body = paper_batch_body(employer, rows, business=business)
    with capture(execute=True):
        resp = clerk_api.post("/batches/paper", body)
    assert resp.status_code == 202, resp.content
    return resp.json()["batch_no"]


def file_batch(clerk_api, employer, rows: list[dict], *, scans: bytes | None = None, capture=None) -> str:
    """Submit ``rows`` as a sheet with their scans zip (file route); returns the batch number."""
    emp, handler = employer
    meta = {"business": "batch_apply", "employer_uscc": emp.uscc, "evidence": f.window_evidence(),
            "handler": {"doc_type": "id_card", "number": handler.id_number}}
    files = {"workbook": SimpleUploadedFile("b.xlsx", bf.workbook("new_card", rows)),
             "scans": SimpleUploadedFile("s.zip", scans if scans is not None else bf.scans_for(rows))}
    with capture(execute=True):
        resp = clerk_api.client.post("/api/v1/batches", data={"meta": json.dumps(meta), **files},
                                     headers=clerk_api._headers(None))
    assert resp.status_code == 202, resp.content
    return resp.json()["batch_no"]


def adults(n: int) -> list[dict]:
    names = "甲乙丙丁戊己庚辛壬癸"
    return [bf.person_row(name=f"周{names[i % 10]}{i}") for i in range(n)]
