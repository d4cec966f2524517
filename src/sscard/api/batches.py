"""Employer batch business (批量办理): the downloadable templates."""

from urllib.parse import quote

from django.http import HttpResponse
from ninja import Router

from sscard.api.auth import require
from sscard.batches.columns import KINDS
from sscard.batches.templates_xlsx import FILE_NAMES, XLSX_CONTENT_TYPE, build_template
from sscard.core.errors import NotFound

router = Router(tags=["batches"])

# Who hands a template to a unit: window clerks, kiosks, supervisors and administrators.
TEMPLATE_CALLERS = {"kinds": ("kiosk",), "roles": ("clerk", "supervisor", "admin")}


@router.get("/templates/{kind}.xlsx", summary="下载批量报盘模板（制卡明细表 / 补换卡明细表）")
def template_download(request, kind: str):
    require(request.auth, **TEMPLATE_CALLERS)
    if kind not in KINDS:
        raise NotFound("TEMPLATE_NOT_FOUND", "没有这种批量模板", rule="batch_templates")
    name = FILE_NAMES[kind]
    resp = HttpResponse(build_template(kind), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f"attachment; filename=\"{kind}.xlsx\"; filename*=UTF-8''{quote(name)}"
    resp["Cache-Control"] = "no-store"
    return resp
