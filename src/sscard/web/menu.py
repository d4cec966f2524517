"""The start page's menu: each area of the pages, shown to the roles the access table lets open it (titles
and summaries in the page's language: lazy, translated when shown)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
    Area("web:dashboard", "page.dashboard", _("主管看板"),
         _("今日业务量、积压与超时、按时率趋势、网点制卡设备状态")),
    Area("web:audit_search", "audit.search", _("审计日志查询"),
         _("按对象、操作人、事件类型和时间查询审计记录（只读）")),
    Area("web:settings", "settings.view", _("网点与参数设置"), _("网点条件、收费标准、节假日日历")),
]

AREAS += [
    Area("web:window", "page.window", _("窗口工作台"), _("查找办理人，办理申领、补换、挂失等窗口业务")),
]


def areas_for(actor) -> list[Area]:
    return [a for a in AREAS if permissions.allowed(actor, a.operation)]


def menu_for(actor) -> list[dict]:
    return [{"url": reverse(a.url_name), "title": a.title, "summary": a.summary} for a in areas_for(actor)]


# 审核 (reviewers, supervisors) and the 12333 hotline desk
AREAS += [
    Area("web:review_queue", "request.review_queue", _("网上申领审核"),
         _("审核“重庆人社”APP提交的社保卡申领：待审、已退回、已通过")),
    Area("web:hotline", "caller.verify", _("12333热线服务台"),
         _("核验来电人身份，电话临时挂失，社保卡应用状态查询")),
]

# 转办工单: the supervisor's view of every outlet's work items (clerks reach theirs from the window home)
AREAS += [
    Area("web:work_items", "workitem.view_all", _("转办工单"),
         _("12333热线转办到各网点的工单：待受理、已受理、已超期")),
]
