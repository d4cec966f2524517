"""The access table and ``require``: caller kinds and roles, outlet scope, the refusal codes and messages."""

import re

import pytest

from sscard.core.errors import Forbidden
from sscard.staff.actors import Actor
from sscard.staff.choices import StaffRole
from sscard.staff.permissions import (OPERATIONS, Scope, allowed, operations_for, outlet_bound, require,
                                      who)


def staff(role: str, outlet_id: int | None = None) -> Actor:
    return Actor(kind="staff", role=role, name=role, channel="", outlet_id=outlet_id)


def kiosk(outlet_id: int = 1) -> Actor:
    return Actor(kind="kiosk", role="kiosk", name="K-1", channel="kiosk", outlet_id=outlet_id, kiosk_id=9)


CITIZEN = Actor(kind="citizen", role="citizen", name="APP用户#1", channel="app", citizen_id=1)
SYSTEM = Actor.system("t")


def refusal(actor, name, **kw) -> tuple[str, str]:
    with pytest.raises(Forbidden) as exc:
        require(actor, name, **kw)
    return exc.value.code, exc.value.message


def test_every_entry_is_well_formed():
    for name, o in OPERATIONS.items():
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", name) and o.name == name
        assert re.search(r"[\u4e00-\u9fff]", o.label) and re.search(r"[\u4e00-\u9fff]", o.message), name
        assert o.scope in Scope.values
        assert o.public or o.callers.kinds or o.callers.roles, name
        assert o.callers.roles <= set(StaffRole.values) and o.callers.kinds <= {"kiosk", "citizen", "system"}
    with pytest.raises(ValueError):
        who("clerk", "janitor")


def test_subject_scope_binds_clerks_to_the_outlet_that_holds_the_subject():
    require(staff("clerk", 1), "request.settle_fee", outlet_id=1)
    require(staff("clerk", 1), "request.settle_fee")  # before the subject is known: any outlet
    require(staff("clerk", 1), "request.settle_fee", outlet_id=None)  # the subject has no outlet
    assert refusal(staff("clerk", 1), "request.settle_fee", outlet_id=2) == (
        "OUTLET_MISMATCH", "该业务不属于本网点，请到受理网点办理")
    assert refusal(staff("supervisor"), "request.settle_fee", outlet_id=1) == (
        "ACCESS_DENIED", "该环节须由服务窗口经办员办理")


def test_an_operation_carries_its_own_refusal_messages():
    assert refusal(staff("clerk", 1), "batch.settle_fee", outlet_id=2) == (
        "OUTLET_MISMATCH", "批量补换卡费用须在提交该批次的服务窗口缴纳")
    assert refusal(staff("admin"), "batch.settle_fee", outlet_id=1)[0] == "ACCESS_DENIED"
    assert refusal(staff("hotline"), "request.approve") == ("ACCESS_DENIED", "审核须由审核员办理")
    assert refusal(staff("clerk", 1), "request.dispatch") == ("ACCESS_DENIED", "集中制卡与邮寄由后台主管或系统管理员办理")
    assert refusal(staff("auditor"), "production.overdue") == ("ACCESS_DENIED", "当前用户无权办理此业务")


def test_a_subject_held_by_two_outlets():
    """A request taken in at one outlet and picked up at another may be voided at either."""
    for outlet in (1, 2):
        require(staff("clerk", outlet), "request.void", outlet_id=(1, 2))
    assert refusal(staff("clerk", 3), "request.void", outlet_id=(1, 2))[0] == "OUTLET_MISMATCH"
    # an app request before a pick-up outlet is chosen belongs to no outlet: no clerk may void it
    assert refusal(staff("clerk", 3), "request.void", outlet_id=(None, None))[0] == "OUTLET_MISMATCH"


def test_scope_binds_only_callers_that_work_at_an_outlet():
    assert outlet_bound(staff("clerk", 1)) and outlet_bound(kiosk())
    assert not any(outlet_bound(a) for a in (staff("supervisor", 1), staff("admin"), CITIZEN, SYSTEM))
    require(staff("supervisor", 7), "request.void", outlet_id=(1, 2))  # the back office, any request
    require(CITIZEN, "request.void", outlet_id=(1, 2))  # the service checks it is their own
    require(SYSTEM, "request.finish_central")
    require(kiosk(1), "production.batch_progress")


def test_any_outlet_scope_needs_an_outlet_and_refuses_a_subject_outlet():
    require(staff("clerk", 5), "request.present_voucher")
    require(kiosk(5), "batch.submit")
    assert refusal(staff("clerk", None), "request.present_voucher")[0] == "CLERK_WITHOUT_OUTLET"
    assert refusal(staff("clerk", None), "batch.submit")[0] == "CLERK_WITHOUT_OUTLET"
    require(staff("admin"), "employer.register")  # not bound to an outlet
    with pytest.raises(ValueError):
        require(staff("clerk", 5), "request.present_voucher", outlet_id=5)
    with pytest.raises(ValueError):
        require(staff("supervisor"), "request.approve", outlet_id=5)


def test_no_outlet_scope_and_kinds():
    require(staff("reviewer"), "request.approve")
    assert refusal(CITIZEN, "request.approve")[0] == "ACCESS_DENIED"
    assert refusal(SYSTEM, "request.void")[0] == "ACCESS_DENIED"
    assert refusal(kiosk(), "request.mine")[0] == "ACCESS_DENIED"
    require(CITIZEN, "request.mine")


def test_an_either_operation_allows_the_callers_of_its_parts():
    o = OPERATIONS["request.finish_production"]
    assert o.callers.roles == {"clerk", "supervisor", "admin"} and o.callers.kinds == {"system"}
    for actor in (staff("clerk", 1), staff("supervisor"), SYSTEM):
        require(actor, "request.finish_production")
    assert refusal(staff("reviewer"), "request.finish_production")[0] == "ACCESS_DENIED"
    assert refusal(staff("clerk", 1), "request.finish_central")[0] == "ACCESS_DENIED"
    assert refusal(staff("clerk", 1), "request.finish_window", outlet_id=2)[0] == "OUTLET_MISMATCH"


def test_open_operations_need_no_caller():
    require(None, "auth.staff_sign_in")
    assert refusal(None, "auth.me")[0] == "ACCESS_DENIED"


def test_allowed_and_operations_for_answer_without_raising():
    assert allowed(staff("clerk", 1), "request.settle_fee")
    assert not allowed(staff("auditor"), "request.settle_fee")
    assert allowed(staff("auditor"), "request.view_all") and not allowed(staff("clerk", 1), "request.view_all")
    names = [o.name for o in operations_for(CITIZEN)]
    assert "request.mine" in names and "card.loss_report" in names and "request.approve" not in names
    assert not any(OPERATIONS[n].public for n in names)
    assert names == [n for n in OPERATIONS if n in names]  # table order
    auditor = {o.name for o in operations_for(staff("auditor"))}
    # an auditor reads: who am I, requests, the pages' session, and the audit trail (never the settings)
    assert auditor == {"auth.me", "auth.staff_sign_out", "auth.token_sign_out", "auth.token_revoke_all",
                       "auth.session_keepalive", "page.start", "request.view", "request.view_all", "audit.search"}


def test_the_supervisor_pages_are_for_the_back_office_and_audit_search_for_auditors_too():
    back_office = {"page.dashboard", "outlet.issuance_status_set", "settings.view", "outlet.settings_change",
                   "fee.rule_change", "calendar.day_change"}
    for role in ("supervisor", "admin"):
        assert back_office | {"audit.search"} <= {o.name for o in operations_for(staff(role))}
    for role in ("clerk", "reviewer", "hotline", "auditor"):
        names = {o.name for o in operations_for(staff(role, 1))}
        assert not names & back_office, role
        assert ("audit.search" in names) == (role == "auditor")
    assert refusal(staff("auditor"), "fee.rule_change") == ("ACCESS_DENIED", "网点、收费标准和节假日设置须由主管或系统管理员维护")


def test_an_unknown_operation_is_a_programming_error():
    with pytest.raises(LookupError):
        require(staff("admin"), "card.teleport")
    with pytest.raises(LookupError):
        allowed(staff("admin"), "card.teleport")
