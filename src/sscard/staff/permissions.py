"""Who may do what: the one access table.  API routes, services and selectors all read ``OPERATIONS``.

An operation has a stable dotted name (``card.loss_report``, ``request.approve``, ``batch.submit``,
``production.order_arrive``), a Chinese label, the callers who may do it (caller kinds ``kiosk`` /
``citizen`` / ``system`` and staff roles), its outlet scope, and the Chinese refusal messages.

Outlet scope binds only the callers that work at an outlet (window clerks and kiosks, ``outlet_bound``);
back-office roles, app users and the system are never bound to one:

* ``Scope.NONE``: no outlet plays a part;
* ``Scope.ANY``: the caller acts at its own outlet, whichever it is (it must have one);
* ``Scope.SUBJECT``: the caller must be at the outlet that holds the subject (request, batch, order); the
  service passes ``outlet_id`` once it has the subject locked.  Reads narrow by outlet in their selectors
  instead (not found rather than ``OUTLET_MISMATCH``, so a number's existence is not disclosed).

``require(actor, operation, outlet_id=...)`` raises ``Forbidden``: ``ACCESS_DENIED`` (caller not listed),
``CLERK_WITHOUT_OUTLET`` (an outlet-bound caller without an outlet) or ``OUTLET_MISMATCH``.  ``allowed``
and ``operations_for`` answer without raising (page menus).  API routes name their operation with
``sscard.api.auth.operation``; a test checks that every route names one and that no entry is unused.
"""

from dataclasses import dataclass
from typing import Iterable

from django.db import models

from sscard.core.errors import Forbidden
from sscard.staff.choices import StaffRole

KINDS = ("staff", "kiosk", "citizen", "system")
OUTLET_BOUND_KINDS = frozenset({"kiosk"})
OUTLET_BOUND_ROLES = frozenset({StaffRole.CLERK.value})


class Scope(models.TextChoices):
    NONE = "none", "不涉及网点"
    ANY = "any_outlet", "本网点（任一网点）"
    SUBJECT = "subject_outlet", "业务所属网点"


@dataclass(frozen=True)
class Callers:
    """Caller kinds other than staff (``kiosk``, ``citizen``, ``system``) and staff roles."""

    kinds: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    public: bool = False  # open without a credential (sign-in)

    def __or__(self, other: "Callers") -> "Callers":
        return Callers(self.kinds | other.kinds, self.roles | other.roles, self.public or other.public)


def who(*names: str) -> Callers:
    """``who("kiosk", "clerk")``: caller kinds and staff roles by name."""
    unknown = [n for n in names if n not in KINDS[1:] and n not in StaffRole.values]
    if unknown:
        raise ValueError(f"not a caller kind or staff role: {unknown}")
    return Callers(kinds=frozenset(n for n in names if n in KINDS),
                   roles=frozenset(n for n in names if n in StaffRole.values))


DENIED = "当前用户无权办理此业务"
MISMATCH = "该业务不属于本网点，请到受理网点办理"
WINDOW_STEP = "该环节须由服务窗口经办员办理"
CENTRAL = "集中制卡与邮寄由后台主管或系统管理员办理"
REVIEW = "审核须由审核员办理"
EMPLOYER = "只有窗口经办人员或系统管理员可以登记用人单位及其经办人"
EXCHANGE = "集中制卡报盘与回盘由后台主管或系统管理员办理"
NO_OUTLET = "当前窗口经办员未分配服务网点，不能办理窗口业务"
SUPERVISOR_PAGE = "主管看板只对主管和系统管理员开放"
DEVICE_SWITCH = "网点制卡设备状态须由主管或系统管理员设置"
SETTINGS = "网点、收费标准和节假日设置须由主管或系统管理员维护"
WORK_ITEM = "转办工单由转办网点的窗口经办员或主管办理"
WORK_ITEM_OUTLET = "该工单转办至其他网点，须由该网点办理"
ERRORS_WORKBOOK = "错误回执只在受理该批次的服务窗口或自助一体机交给该单位的经办人"


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    callers: Callers
    scope: str = Scope.NONE
    message: str = DENIED  # ACCESS_DENIED
    outlet_message: str = MISMATCH  # OUTLET_MISMATCH
    any_of: tuple[str, ...] = ()  # a route serving either of these operations (callers are their union)

    @property
    def public(self) -> bool:
        return self.callers.public


def op(name: str, label: str, callers: Callers, scope: str = Scope.NONE, message: str = DENIED,
       outlet_message: str = MISMATCH) -> Operation:
    return Operation(name, label, callers, scope, message, outlet_message)


def either(name: str, label: str, *parts: str, message: str = DENIED) -> Operation:
    """A route that does one operation or the other, decided by its subject (the service checks which)."""
    return Operation(name, label, Callers(), message=message, any_of=parts)


# Caller sets, each written once.
PUBLIC = Callers(public=True)
EVERYONE = who("kiosk", "citizen", *StaffRole.values)
CHANNEL = who("kiosk", "citizen", "clerk", "hotline")  # on a business channel; the catalogue decides the rest
CITIZEN = who("citizen")
STAFF = who(*StaffRole.values)
CLERK = who("clerk")
WINDOW_OR_KIOSK = who("kiosk", "clerk")
KIOSK = who("kiosk")
REVIEWERS = who("reviewer", "supervisor")
SUPERVISOR = who("supervisor")
HOTLINE = who("hotline")
BACK_OFFICE = who("supervisor", "admin")
BACK_OFFICE_OR_SYSTEM = who("system", "supervisor", "admin")
ALL_OUTLETS_READERS = who("reviewer", "supervisor", "auditor", "admin")
EMPLOYER_MANAGERS = who("clerk", "admin")
EMPLOYER_READERS = who("clerk", "supervisor", "admin")
BATCH_READERS = who("kiosk", "clerk", "supervisor", "admin")
VOIDERS = who("citizen", "clerk", "supervisor", "admin")
AUDIT_READERS = who("supervisor", "auditor", "admin")
OUTLET_STAFF = who("clerk", "supervisor")  # the staff of an outlet's work: its clerks, and supervisors

ANY, SUBJECT = Scope.ANY, Scope.SUBJECT

_TABLE = (
    # sign-in and who am I
    op("auth.staff_sign_in", "工作人员登录", PUBLIC),
    op("auth.citizen_sign_in", "APP用户登录", PUBLIC),
    op("auth.me", "查看当前调用者", EVERYONE),
    op("auth.staff_sign_out", "工作人员退出登录", STAFF),
    op("auth.token_sign_out", "退出登录（吊销本令牌）", EVERYONE),
    op("auth.token_revoke_all", "吊销本人的全部令牌", EVERYONE),
    op("auth.session_keepalive", "延长登录会话", STAFF),
    # pages: the start page and the landing page of each role's area (menus read these)
    op("page.start", "工作台首页", STAFF),
    op("page.window", "窗口工作台", CLERK, ANY, message=WINDOW_STEP),
    # 自助一体机 pages (web.kiosk_access): the browser bound once to a kiosk by its device token, then a
    # customer signed in by the ID reader, the card terminal or the 电子社保卡 code
    op("kiosk.device_bind", "自助一体机页面绑定设备令牌", PUBLIC),
    op("page.kiosk", "自助一体机首页", KIOSK, message="自助一体机页面只能在已绑定的自助一体机上使用"),
    op("kiosk.customer_session", "自助一体机办事人读卡登录、退出与超时结束", KIOSK,
       message="自助一体机页面只能在已绑定的自助一体机上使用"),
    # the outlet's queue: numbers taken at the dispenser (a kiosk, or the window's simulated one), called
    op("queue.ticket_issue", "排队取号", WINDOW_OR_KIOSK, ANY),
    op("queue.call", "叫号（下一位、重呼、过号）", CLERK, ANY, message=WINDOW_STEP),
    # card businesses on a channel (window, kiosk, app, 12333)
    op("card.apply", "社保卡申领", CHANNEL, ANY),
    op("card.reissue", "社保卡补领", CHANNEL, ANY),
    op("card.replace", "社保卡换领", CHANNEL, ANY),
    op("card.renew", "社保卡换发", CHANNEL, ANY),
    op("card.activate", "社保卡启用", CHANNEL, ANY),
    op("card.info_change", "社保卡信息变更", CHANNEL, ANY),
    op("card.loss_report", "社保卡挂失", CHANNEL, ANY),
    op("card.loss_withdraw", "社保卡解挂", CHANNEL, ANY),
    op("card.unlock", "社保卡解锁", CHANNEL, ANY),
    op("card.cancel", "社保卡注销", CHANNEL, ANY),
    op("card.rollback", "社保卡回退", CHANNEL, ANY),
    op("card.status_query", "社保卡应用状态查询", CHANNEL, ANY),
    op("card.pin_change", "社保卡密码修改", CHANNEL, ANY),
    op("card.pin_reset", "社保卡密码重置", CHANNEL, ANY),
    op("card.pin_verify", "社保卡密码校验", CHANNEL, ANY),
    # 电子社保卡 (cards.ecard): the app user's short-lived signed code, read at a window or a kiosk
    op("ecard.code_issue", "生成电子社保卡码（APP）", CITIZEN, message="电子社保卡码只能由持卡人在APP中生成"),
    op("ecard.code_verify", "读取电子社保卡码识别持卡人", WINDOW_OR_KIOSK, ANY,
       message="电子社保卡码只能在服务窗口或自助一体机读取"),
    # the 12333 hotline: the caller is checked against one card before anything is done on the phone
    op("caller.verify", "12333来电人身份核验", HOTLINE, message="来电人身份核验须由12333话务员办理"),
    # the hotline's work items to an outlet (工单转办): sent by the operator for a verified caller, accepted
    # and closed by the target outlet (its clerks; supervisors anywhere), cancelled by the operator who
    # sent it (the service checks who) or a supervisor
    op("workitem.create", "12333转办网点工单", HOTLINE,
       message="转办工单须由12333话务员为已核验的来电人办理"),
    op("workitem.list", "网点转办工单列表", OUTLET_STAFF, ANY, message=WORK_ITEM),
    op("workitem.view_all", "查看所有网点的转办工单", SUPERVISOR, message="所有网点的转办工单只对主管开放"),
    op("workitem.view", "查看转办工单", OUTLET_STAFF | HOTLINE, SUBJECT, message=WORK_ITEM,
       outlet_message=WORK_ITEM_OUTLET),
    op("workitem.phone_view", "查看转办工单的完整回电号码（留痕）", OUTLET_STAFF, SUBJECT, message=WORK_ITEM,
       outlet_message=WORK_ITEM_OUTLET),
    op("workitem.accept", "受理转办工单", OUTLET_STAFF, SUBJECT, message=WORK_ITEM,
       outlet_message=WORK_ITEM_OUTLET),
    op("workitem.close", "办结转办工单", OUTLET_STAFF, SUBJECT, message=WORK_ITEM,
       outlet_message=WORK_ITEM_OUTLET),
    op("workitem.cancel", "撤销转办工单", HOTLINE | SUPERVISOR,
       message="转办工单只能由转办的话务员或主管撤销"),
    # a production request and its steps
    op("request.view", "业务办理进度", EVERYONE, SUBJECT),
    op("request.view_all", "查看所有网点的业务", ALL_OUTLETS_READERS),
    op("request.mine", "我的业务（APP）", CITIZEN),
    op("request.review_queue", "待审核的网上申领", REVIEWERS, message=REVIEW),
    op("request.review_detail", "审核：调阅申办人完整信息", REVIEWERS, message=REVIEW),
    op("request.review_image", "审核：查看上传影像", REVIEWERS, message=REVIEW),
    op("request.approve", "审核通过", REVIEWERS, message=REVIEW),
    op("request.reject", "审核不通过", REVIEWERS, message=REVIEW),
    op("request.review_claim", "审核：领取案件（审核期间他人不能办理）", REVIEWERS, message=REVIEW),
    op("request.review_reassign", "审核：改派或释放已领取的案件", SUPERVISOR, message="改派或释放审核案件须由主管办理"),
    op("request.present_voucher", "窗口收取自助一体机凭证", CLERK, ANY, message=WINDOW_STEP),
    op("request.record_signed_form", "登记已签字的纸质业务表单", CLERK, SUBJECT, message=WINDOW_STEP),
    op("request.settle_fee", "费用清缴或抵扣", CLERK, SUBJECT, message=WINDOW_STEP),
    either("request.finish_production", "制卡完成", "request.finish_central", "request.finish_window"),
    op("request.finish_central", "集中制卡完成", BACK_OFFICE_OR_SYSTEM, message=CENTRAL),
    op("request.finish_window", "窗口延时制卡完成", CLERK, SUBJECT, message=WINDOW_STEP),
    op("request.dispatch", "邮寄发出", BACK_OFFICE_OR_SYSTEM, message=CENTRAL),
    op("request.deliver", "邮寄签收", BACK_OFFICE_OR_SYSTEM, message=CENTRAL),
    op("request.hand_over", "网点领取发放", CLERK, SUBJECT, message=WINDOW_STEP),
    op("request.void", "作废业务", VOIDERS, SUBJECT, message="作废业务须由申办人本人、受理网点经办员或后台主管办理"),
    op("request.form_pdf", "打印业务表单", CLERK, SUBJECT),
    op("request.voucher_pdf", "打印自助一体机凭证", WINDOW_OR_KIOSK, SUBJECT),
    op("request.overdue", "超过制卡时限的业务", BACK_OFFICE),
    op("request.evaluate", "服务评价（好差评）", WINDOW_OR_KIOSK | CITIZEN, ANY),
    op("evaluation.follow_up_close", "差评整改办结", BACK_OFFICE, message="差评整改由主管或系统管理员办结"),
    op("request.receipt_pdf", "打印受理回执", CLERK, SUBJECT),
    # employers and their handlers
    op("employer.register", "登记用人单位", EMPLOYER_MANAGERS, ANY, message=EMPLOYER),
    op("employer.view", "查询用人单位及其经办人", EMPLOYER_READERS),
    op("employer.handler_add", "添加单位经办人", EMPLOYER_MANAGERS, ANY, message=EMPLOYER),
    op("employer.handler_deactivate", "停用单位经办人", EMPLOYER_MANAGERS, ANY, message=EMPLOYER),
    # employer batches
    op("batch.template_download", "下载批量报盘模板", BATCH_READERS),
    op("batch.submit", "提交单位批量业务", WINDOW_OR_KIOSK, ANY, message="单位批量业务只能在服务窗口或自助一体机提交"),
    op("batch.view", "查看批次（进度、明细、应缴费用）", BATCH_READERS, SUBJECT),
    op("batch.settle_fee", "批量补换卡缴费或抵扣", CLERK, SUBJECT, message="批量补换卡费用须在提交该批次的服务窗口缴纳",
       outlet_message="批量补换卡费用须在提交该批次的服务窗口缴纳"),
    op("batch.voucher_pdf", "打印批量业务办理凭证", WINDOW_OR_KIOSK, SUBJECT),
    op("batch.error_workbook_download", "下载错误回执（交提交该批次的单位经办人）", WINDOW_OR_KIOSK, SUBJECT,
       message=ERRORS_WORKBOOK, outlet_message=ERRORS_WORKBOOK),
    # central production of batch cards
    op("production.batch_progress", "批次制卡进度", BATCH_READERS, SUBJECT),
    op("production.order_arrive", "网点签收制卡批次", CLERK, SUBJECT, message=WINDOW_STEP),
    op("production.batch_pickup", "单位经办人领取批量社保卡", CLERK, SUBJECT, message="批量卡须在服务窗口领取"),
    op("production.to_individual", "批量转零星", CHANNEL, ANY, message="批量转零星须由服务窗口经办员办理"),
    op("production.overdue", "超过10个工作日未完成的制卡批次", BACK_OFFICE),
    op("production.import_result", "导入银行或卡商回盘文件", BACK_OFFICE_OR_SYSTEM, message=EXCHANGE),
    op("production.exchange_run", "执行报盘/回盘循环", BACK_OFFICE_OR_SYSTEM, message=EXCHANGE),
    # supervisor pages (issue #9): the dashboard, the outlet's issuance device, settings, audit search
    op("page.dashboard", "主管看板", BACK_OFFICE, message=SUPERVISOR_PAGE),
    op("outlet.issuance_status_set", "设置网点制卡设备状态", BACK_OFFICE, message=DEVICE_SWITCH),
    op("settings.view", "查看网点、收费标准和节假日设置", BACK_OFFICE, message=SETTINGS),
    op("outlet.settings_change", "修改网点配置", BACK_OFFICE, message=SETTINGS),
    op("fee.rule_change", "修改收费标准", BACK_OFFICE, message=SETTINGS),
    op("calendar.day_change", "维护节假日日历", BACK_OFFICE, message=SETTINGS),
    op("audit.search", "审计日志查询", AUDIT_READERS, message="审计日志只能由主管、审计员或系统管理员查询"),
)


def _build(table: Iterable[Operation]) -> dict[str, Operation]:
    ops: dict[str, Operation] = {}
    for o in table:
        if o.name in ops:
            raise ValueError(f"operation {o.name} is listed twice")
        ops[o.name] = o
    for o in list(ops.values()):
        if o.any_of:
            parts = [ops[p] for p in o.any_of]
            union = Callers()
            for p in parts:
                union = union | p.callers
            ops[o.name] = Operation(o.name, o.label, union, Scope.NONE, o.message, o.outlet_message, o.any_of)
    return ops


OPERATIONS: dict[str, Operation] = _build(_TABLE)


def operation(name: str) -> Operation:
    try:
        return OPERATIONS[name]
    except KeyError:
        raise LookupError(f"no operation {name!r} in the access table (sscard.staff.permissions)") from None


def outlet_bound(actor) -> bool:
    """A caller that works at an outlet: a window clerk or a kiosk."""
    return actor.kind in OUTLET_BOUND_KINDS or (actor.kind == "staff" and actor.role in OUTLET_BOUND_ROLES)


def _listed(actor, o: Operation) -> bool:
    if o.public:
        return True
    if actor is None:
        return False
    return actor.kind in o.callers.kinds or (actor.kind == "staff" and actor.role in o.callers.roles)


def allowed(actor, name: str) -> bool:
    """May this caller do the operation at all (its outlet not considered)?"""
    return _listed(actor, operation(name))


def operations_for(actor) -> list[Operation]:
    """The operations this caller may do, in table order (the open sign-in operations left out)."""
    return [o for o in OPERATIONS.values() if not o.public and _listed(actor, o)]


def require(actor, name: str, *, outlet_id: int | None | tuple = None) -> None:
    """Refuse (``Forbidden``) unless the caller may do ``name``; with ``outlet_id`` (the subject's outlet,
    or a tuple of the outlets that hold it) an outlet-bound caller must be at that outlet."""
    o = operation(name)
    if outlet_id is not None and o.scope != Scope.SUBJECT:
        raise ValueError(f"{name} has no subject outlet to check")
    if not _listed(actor, o):
        raise Forbidden("ACCESS_DENIED", o.message)
    if o.public or o.scope == Scope.NONE or not outlet_bound(actor):
        return
    if actor.outlet_id is None:
        raise Forbidden("CLERK_WITHOUT_OUTLET", NO_OUTLET)
    held = outlet_id if isinstance(outlet_id, tuple) else (outlet_id,)
    if outlet_id is not None and actor.outlet_id not in held:
        raise Forbidden("OUTLET_MISMATCH", o.outlet_message)
