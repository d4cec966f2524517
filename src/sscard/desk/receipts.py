"""The 受理回执 handed to the applicant, and its reprints: each print is recorded (who, when, which
print), so a reprint says so on the paper and the business page shows the history."""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_record
from sscard.desk.models import ServiceRequest
from sscard.desk.selectors import request_for_actor
from sscard.staff.permissions import require

SUBJECT = "service_request"


def receipt_print(*, actor, request_no: str) -> tuple[ServiceRequest, int]:
    """Record one print of the business's receipt; returns the request and the number of earlier prints
    (0 for the first, N for the N-th reprint).  The request row is locked so two prints count apart."""
    visible = request_for_actor(actor, request_no)
    require(actor, "request.receipt_pdf", outlet_id=visible.outlet_id)
    with transaction.atomic():
        req = (ServiceRequest.objects.select_for_update(of=("self",))  # the row only: its joins may be null
               .select_related("outlet", "applicant", "agent", "card").get(pk=visible.pk))
        earlier = AuditEvent.objects.filter(event_type=AuditEventType.RECEIPT_PRINTED, subject_type=SUBJECT,
                                            subject_id=req.request_no).count()
        audit_record(event_type=AuditEventType.RECEIPT_PRINTED, actor=actor, subject_type=SUBJECT,
                     subject_id=req.request_no, data={"print_no": earlier + 1, "reprint": earlier > 0})
    return req, earlier


def receipt_prints(request_no: str) -> list[dict]:
    """Every print of the receipt, oldest first: when, by whom, which print."""
    return [{"at": e.at, "by": e.actor_name, "print_no": e.data.get("print_no")}
            for e in AuditEvent.objects.filter(event_type=AuditEventType.RECEIPT_PRINTED, subject_type=SUBJECT,
                                               subject_id=request_no).order_by("seq")]
