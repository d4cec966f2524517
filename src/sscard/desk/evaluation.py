"""好差评: the service evaluation after a completed business, and the follow-up a bad rating opens.

Anonymous: the rating is recorded with the business number, channel, outlet and the member of staff who
served; never with the person.  A bad rating (不满意, 非常不满意) needs a reason and opens a follow-up for
the supervisor, due in the catalogue's ``evaluation_follow_up_working_days`` working days (国办发〔2019〕51号).
"""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.desk.choices import (
    BAD_LEVELS,
    EvaluationLevel,
    FollowUpStatus,
    RequestStatus,
)
from sscard.desk.models import EvaluationFollowUp, ServiceEvaluation, ServiceRequest
from sscard.desk.selectors import request_for_actor
from sscard.policy.catalogue import policy_setting
from sscard.staff.permissions import require
from sscard.workdays.selectors import add_working_days

REASON_MAX = 300


def evaluation_record(*, actor, request_no: str, level, reason: str = "") -> ServiceEvaluation:
    """Record the rating of a completed business the caller may see (once per business)."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in EvaluationLevel.values:
        raise InvalidInput("EVALUATION_LEVEL", "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意")
    reason = (reason or "").strip()[:REASON_MAX]
    if level in BAD_LEVELS and not reason:
        raise InvalidInput("EVALUATION_REASON_REQUIRED", "选择「不满意」或「非常不满意」时，请填写不满意的原因")
    with transaction.atomic():
        visible = request_for_actor(actor, request_no)
        require(actor, "request.evaluate")
        req = ServiceRequest.objects.select_for_update().get(pk=visible.pk)
        if req.status != RequestStatus.COMPLETED:
            raise Conflict("EVALUATION_NOT_COMPLETED", "业务办结后才能评价")
        if ServiceEvaluation.objects.filter(request=req).exists():
            raise Conflict("EVALUATION_EXISTS", "该业务已评价，感谢您的反馈")
        now = clock.now()
        evaluation = ServiceEvaluation.objects.create(
            request=req, level=level, reason=reason, channel=req.channel, outlet_id=req.outlet_id,
            served_by=req.actor_name, created_at=now)
        audit_record(event_type=AuditEventType.EVALUATION_RECORDED, actor=actor, subject_type="service_request",
                     subject_id=req.request_no, data={"level": level, "bad": level in BAD_LEVELS})
        if level in BAD_LEVELS:
            due = add_working_days(now, int(policy_setting("evaluation_follow_up_working_days")))
            follow_up = EvaluationFollowUp.objects.create(evaluation=evaluation, due_at=due.due_at, created_at=now)
            audit_record(event_type=AuditEventType.FOLLOW_UP_OPENED, actor=actor, subject_type="service_request",
                         subject_id=req.request_no, data={"follow_up_id": follow_up.pk, "due_at": due.due_at.isoformat()})
    return evaluation


def evaluation_follow_up_close(*, actor, follow_up_id: int, resolution: str) -> EvaluationFollowUp:
    """The supervisor settles a bad rating's follow-up, saying what was done (整改情况)."""
    require(actor, "evaluation.follow_up_close")
    resolution = (resolution or "").strip()[:500]
    if not resolution:
        raise InvalidInput("FOLLOW_UP_RESOLUTION_REQUIRED", "请填写整改情况")
    with transaction.atomic():
        follow_up = (EvaluationFollowUp.objects.select_for_update().select_related("evaluation__request")
                     .filter(pk=follow_up_id).first())
        if follow_up is None:
            raise NotFound("FOLLOW_UP_NOT_FOUND", "未找到该差评整改工单")
        if follow_up.status != FollowUpStatus.OPEN:
            raise Conflict("FOLLOW_UP_CLOSED", "该差评整改工单已办结")
        follow_up.status, follow_up.resolution, follow_up.closed_at = FollowUpStatus.CLOSED, resolution, clock.now()
        follow_up.save(update_fields=["status", "resolution", "closed_at"])
        audit_record(event_type=AuditEventType.FOLLOW_UP_CLOSED, actor=actor, subject_type="service_request",
                     subject_id=follow_up.evaluation.request.request_no,
                     data={"follow_up_id": follow_up.pk, "on_time": follow_up.closed_at <= follow_up.due_at})
    return follow_up
