"""GET /batches/templates/{kind}.xlsx: the workbook, its file name, and who may download it."""

import io
from urllib.parse import quote

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sscard.batches.columns import headers

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(("kind", "title"), [("new_card", "制卡明细表"), ("reissue", "补换卡明细表")])
def test_clerk_downloads_the_template(clerk_api, kind, title):
    resp = clerk_api.get(f"/batches/templates/{kind}.xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"] == XLSX
    assert resp["Content-Disposition"] == (
        f"attachment; filename=\"{kind}.xlsx\"; filename*=UTF-8''{quote(title + '.xlsx')}")
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames[0] == title
    assert [c.value for c in wb[title][1]] == headers(kind)
    book = CalamineWorkbook.from_filelike(io.BytesIO(resp.content))
    assert book.get_sheet_by_name(title).to_python()[0] == headers(kind)


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_back_office_downloads(staff_api, role):
    assert staff_api(role).get("/batches/templates/reissue.xlsx").status_code == 200


def test_kiosk_downloads(kiosk_api):
    assert kiosk_api.get("/batches/templates/new_card.xlsx").status_code == 200


def test_unknown_kind_is_404(clerk_api):
    resp = clerk_api.get("/batches/templates/payroll.xlsx")
    assert resp.status_code == 404
    assert resp.json()["code"] == "TEMPLATE_NOT_FOUND"


@pytest.mark.parametrize("role", ["reviewer", "auditor", "hotline"])
def test_other_staff_are_refused(staff_api, role):
    resp = staff_api(role).get("/batches/templates/new_card.xlsx")
    assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED"


def test_citizen_is_refused(citizen_api):
    resp = citizen_api.get("/batches/templates/new_card.xlsx")
    assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED"


def test_anonymous_is_401(client):
    assert client.get("/api/v1/batches/templates/new_card.xlsx").status_code == 401
