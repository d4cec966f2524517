"""Review claims: one reviewer at a time on an app application waiting for review.

Opening a case claims it (``request_review_claim``) for ``settings.SSCARD_REVIEW_CLAIM_MINUTES``; while
the claim is live every other reviewer is refused (409 ``REVIEW_CLAIMED_BY_OTHER``, naming the holder),
for opening it as for deciding it (``desk.services.refuse_claimed_by_other``).  Opening it again renews
the holder's claim; an expired claim is as good as none.  Only a supervisor releases a claim or reassigns
it to another reviewer.  The decision (approve / reject) or a void ends the claim.  Every write is
audited under the request's row lock.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput
from sscard.desk.choices import RequestStatus
from sscard.desk.models import ServiceRequest
from sscard.desk.rules import claim_is_live
from sscard.desk.services import SUBJECT, claim_clear, refuse_claimed_by_other, request_lock
from sscard.policy.choices import Channel
from sscard.staff.actors import Actor
from sscard.staff.models import StaffMember
from sscard.staff.permissions import allowed, require

CLAIM_FIELDS = ["review_claimed_by", "review_claimed_at", "review_claim_expires_at", "updated_at"]


def claim_minutes() -> int:
    return int(getattr(settings, "SSCARD_REVIEW_CLAIM_MINUTES", 30))


def _pending(req: ServiceRequest) -> None:
    if req.status != RequestStatus.PENDING_REVIEW or req.channel != Channel.APP:
        raise Conflict("REQUEST_STATE_CONFLICT",
                       f"业务当前状态为“{RequestStatus(req.status).label}”，不在待审核中",
                       details={"status": req.status})


def _holder(req: ServiceRequest) -> dict:
    now = clock.now()
    if not claim_is_live(req.review_claimed_by_id, req.review_claim_expires_at, now):
        return {}
    return {"staff_id": req.review_claimed_by_id, "name": req.review_claimed_by.display_name,
            "until": req.review_claim_expires_at}


def _claim_for(req: ServiceRequest, staff_id: int) -> None:
    now = clock.now()
    req.review_claimed_by_id = staff_id
    req.review_claimed_at = now
    req.review_claim_expires_at = now + dt.timedelta(minutes=claim_minutes())
    req.updated_at = now
    req.save(update_fields=CLAIM_FIELDS)


def request_review_claim(*, actor, request_no: str) -> ServiceRequest:
    """Take (or renew) the review claim of an app application waiting for review; audited.

    Refused while another reviewer's claim is live (409 ``REVIEW_CLAIMED_BY_OTHER``).
    """
    require(actor, "request.review_claim")
    with transaction.atomic():
        req = request_lock(request_no)
        _pending(req)
        refuse_claimed_by_other(req, actor)
        before = _holder(req)
        renewed = before.get("staff_id") == actor.staff_id
        _claim_for(req, actor.staff_id)
        audit_record(event_type=AuditEventType.REQUEST_REVIEW_CLAIMED, actor=actor, subject_type=SUBJECT,
                     subject_id=req.request_no, person_id=req.applicant_id,
                     after={"claimed_until": req.review_claim_expires_at.isoformat()},
                     data={"renewed": renewed, "minutes": claim_minutes()})
    return req


def request_review_release(*, actor, request_no: str) -> ServiceRequest:
    """A supervisor frees a claimed case: any reviewer may then open it.  Audited with who held it."""
    require(actor, "request.review_reassign")
    with transaction.atomic():
        req = request_lock(request_no)
        _pending(req)
        before = _holder(req)
        if not before:
            raise Conflict("REVIEW_NOT_CLAIMED", "该案件当前无人审核，无需释放")
        claim_clear(req)
        req.updated_at = clock.now()
        req.save(update_fields=CLAIM_FIELDS)
        audit_record(event_type=AuditEventType.REQUEST_REVIEW_RELEASED, actor=actor, subject_type=SUBJECT,
                     subject_id=req.request_no, person_id=req.applicant_id,
                     before={"holder": before["name"], "holder_staff_id": before["staff_id"]}, after={"holder": ""})
    return req


def review_assignees() -> list[StaffMember]:
    """The staff a case may be assigned to: every member whose role may claim a review."""
    members = StaffMember.objects.select_related("user").filter(user__is_active=True).order_by("display_name", "id")
    return [m for m in members if allowed(Actor.for_staff(m), "request.review_claim")]


def request_review_reassign(*, actor, request_no: str, to_staff_id) -> ServiceRequest:
    """A supervisor hands a case (claimed or not) to a reviewer, who then holds a fresh claim.  Audited."""
    require(actor, "request.review_reassign")
    try:
        target_id = int(to_staff_id)
    except (TypeError, ValueError):
        target_id = None
    target = next((m for m in review_assignees() if m.pk == target_id), None) if target_id else None
    if target is None:
        raise InvalidInput("REVIEW_ASSIGNEE_INVALID", "请选择要改派的审核员（须为在岗的审核员或主管）")
    with transaction.atomic():
        req = request_lock(request_no)
        _pending(req)
        before = _holder(req)
        if before.get("staff_id") == target.pk:
            raise Conflict("REVIEW_ALREADY_ASSIGNED", f"该案件已由{target.display_name}审核，无需改派")
        _claim_for(req, target.pk)
        audit_record(event_type=AuditEventType.REQUEST_REVIEW_REASSIGNED, actor=actor, subject_type=SUBJECT,
                     subject_id=req.request_no, person_id=req.applicant_id,
                     before={"holder": before.get("name", ""), "holder_staff_id": before.get("staff_id")},
                     after={"holder": target.display_name, "holder_staff_id": target.pk,
                            "claimed_until": req.review_claim_expires_at.isoformat()})
    return req
