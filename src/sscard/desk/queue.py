"""The outlet's queue (排队叫号): numbers taken at the dispenser, called to a window, recalled, skipped,
and linked to the business done for them.

Numbers restart each (Beijing) day per outlet: A001, A002, …  A window serves one ticket at a time; calling
the next finishes the current one.  The dispenser's numbering takes the outlet row's lock, so two numbers
taken at once never get the same label.
"""

from django.db import transaction
from django.db.models import Max

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.desk.choices import TicketStatus
from sscard.desk.models import QueueTicket
from sscard.staff.models import Outlet, StaffMember
from sscard.staff.permissions import require

PREFIX = "A"


def _window_of(actor) -> str:
    staff = StaffMember.objects.filter(pk=actor.staff_id).only("window").first()
    return staff.window if staff else ""


def queue_ticket_issue(*, actor) -> QueueTicket:
    """Take the next number at the caller's outlet."""
    require(actor, "queue.ticket_issue")
    with transaction.atomic():
        Outlet.objects.select_for_update().get(pk=actor.outlet_id)
        today = clock.today()
        last = QueueTicket.objects.filter(outlet_id=actor.outlet_id, day=today).aggregate(n=Max("number"))["n"] or 0
        number = last + 1
        return QueueTicket.objects.create(outlet_id=actor.outlet_id, day=today, number=number,
                                          label=f"{PREFIX}{number:03d}", created_at=clock.now())


def queue_current(actor) -> QueueTicket | None:
    """The ticket this clerk is serving (called and not finished), if any."""
    return (QueueTicket.objects.filter(outlet_id=actor.outlet_id, day=clock.today(), staff_id=actor.staff_id,
                                       status=TicketStatus.CALLED).order_by("-called_at").first())


def queue_waiting(actor) -> int:
    return QueueTicket.objects.filter(outlet_id=actor.outlet_id, day=clock.today(),
                                      status=TicketStatus.WAITING).count()


def _finish_current(actor, status: str) -> QueueTicket | None:
    current = queue_current(actor)
    if current is not None:
        current = QueueTicket.objects.select_for_update().get(pk=current.pk)
        current.status, current.finished_at = status, clock.now()
        current.save(update_fields=["status", "finished_at"])
    return current


def queue_call_next(*, actor) -> QueueTicket | None:
    """下一位: finish the ticket being served and call the oldest waiting one to this window (None: nobody
    waits).  The waiting row is locked with ``skip_locked`` so two windows calling at once get two people."""
    require(actor, "queue.call")
    with transaction.atomic():
        _finish_current(actor, TicketStatus.DONE)
        ticket = (QueueTicket.objects.select_for_update(skip_locked=True)
                  .filter(outlet_id=actor.outlet_id, day=clock.today(), status=TicketStatus.WAITING)
                  .order_by("number").first())
        if ticket is None:
            return None
        ticket.status, ticket.window, ticket.called_by, ticket.staff_id = (
            TicketStatus.CALLED, _window_of(actor), actor.name, actor.staff_id)
        ticket.calls, ticket.called_at = 1, clock.now()
        ticket.save(update_fields=["status", "window", "called_by", "staff_id", "calls", "called_at"])
        audit_record(event_type=AuditEventType.QUEUE_TICKET_CALLED, actor=actor, subject_type="queue_ticket",
                     subject_id=ticket.pk, data={"label": ticket.label, "window": ticket.window})
    return ticket


def queue_recall(*, actor) -> QueueTicket | None:
    """重呼: announce the ticket being served again."""
    require(actor, "queue.call")
    with transaction.atomic():
        current = queue_current(actor)
        if current is None:
            return None
        current = QueueTicket.objects.select_for_update().get(pk=current.pk)
        current.calls += 1
        current.save(update_fields=["calls"])
    return current


def queue_skip(*, actor) -> QueueTicket | None:
    """过号: the person called did not come; the ticket is set aside (the window can call the next)."""
    require(actor, "queue.call")
    with transaction.atomic():
        skipped = _finish_current(actor, TicketStatus.SKIPPED)
        if skipped is not None:
            audit_record(event_type=AuditEventType.QUEUE_TICKET_SKIPPED, actor=actor, subject_type="queue_ticket",
                         subject_id=skipped.pk, data={"label": skipped.label})
    return skipped


def queue_link_business(*, actor, request_no: str) -> QueueTicket | None:
    """Record that the business ``request_no`` was done for the ticket being served (the ticket links to
    it, so the queue's history says what each number came for)."""
    with transaction.atomic():
        current = queue_current(actor)
        if current is None:
            return None
        current = QueueTicket.objects.select_for_update().get(pk=current.pk)
        current.request_no = request_no
        current.save(update_fields=["request_no"])
    return current


def queue_ticket_of(request_no: str) -> QueueTicket | None:
    return QueueTicket.objects.filter(request_no=request_no).first()
