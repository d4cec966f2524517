"""The start page's menu: each area of the pages, shown to the roles the access table lets open it."""

from dataclasses import dataclass

from django.urls import reverse

from sscard.staff import permissions


@dataclass(frozen=True)
class Area:
    url_name: str
    operation: str  # the landing page's operation in the access table
    title: str
    summary: str


AREAS: list[Area] = []

# supervisor pages (issue #9)
AREAS += [
    Area("web:dashboard", "page.dashboard", "主管看板", "今日业务量、积压与超时、按时率趋势、网点制卡设备状态"),
]


def areas_for(actor) -> list[Area]:
    return [a for a in AREAS if permissions.allowed(actor, a.operation)]


def menu_for(actor) -> list[dict]:
    return [{"url": reverse(a.url_name), "title": a.title, "summary": a.summary} for a in areas_for(actor)]
