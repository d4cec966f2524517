"""The business (service request) state machine as a table.

``TRANSITIONS[(state, event)]`` is the set of states the event may lead to.  A step-clearing event moves
to the status of the next pending step, or on to production / completion when no step is left, so
those events list each possible target.  Anything absent is refused.
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from sscard.desk.choices import RequestEvent as E
from sscard.desk.choices import RequestStatus as S
from sscard.desk.choices import ReviewTab, Urgency, WorkItemEvent, WorkItemState
from sscard.policy.choices import Business

_AFTER_STEPS = frozenset({S.AWAITING_VOUCHER, S.AWAITING_SIGNATURE, S.AWAITING_FEE, S.IN_PRODUCTION, S.COMPLETED})

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.PENDING_REVIEW, E.APPROVE): _AFTER_STEPS,
    (S.PENDING_REVIEW, E.REJECT): frozenset({S.REJECTED}),
    (S.PENDING_REVIEW, E.VOID): frozenset({S.VOIDED}),
    (S.AWAITING_VOUCHER, E.PRESENT_VOUCHER): _AFTER_STEPS,
    (S.AWAITING_VOUCHER, E.VOID): frozenset({S.VOIDED}),
    (S.AWAITING_SIGNATURE, E.RECORD_SIGNED_FORM): _AFTER_STEPS,
    (S.AWAITING_SIGNATURE, E.VOID): frozenset({S.VOIDED}),
    (S.AWAITING_FEE, E.SETTLE_FEE): _AFTER_STEPS,
    (S.AWAITING_FEE, E.VOID): frozenset({S.VOIDED}),
    (S.IN_PRODUCTION, E.FINISH_PRODUCTION): frozenset({S.READY_FOR_PICKUP, S.COMPLETED}),
    # a production that cannot finish (the person reported the old card lost, moved away ...) is voided
    # by the back office or the outlet that took it, so the person can apply again
    (S.IN_PRODUCTION, E.VOID): frozenset({S.VOIDED}),
    (S.IN_PRODUCTION, E.DISPATCH): frozenset({S.IN_TRANSIT}),
    (S.READY_FOR_PICKUP, E.DISPATCH): frozenset({S.IN_TRANSIT}),
    (S.READY_FOR_PICKUP, E.HAND_OVER): frozenset({S.COMPLETED}),
    (S.IN_TRANSIT, E.DELIVER): frozenset({S.COMPLETED}),
}

# The businesses that make a card.
PRODUCTION_BUSINESSES = [Business.APPLY, Business.REISSUE, Business.REPLACE, Business.RENEW]

# A business in one of these states is finished, one way or another; any other state is open.
CLOSED_STATUSES = [S.COMPLETED, S.REJECTED, S.VOIDED]
OPEN_PRODUCTION_STATUSES = tuple(s for s in S if s not in CLOSED_STATUSES)


def open_production_q() -> Q:
    """The one definition of an open production request: a card-production business not yet completed,
    rejected or voided.  The DB constraint ``one_open_production_request_per_person``, the selectors and
    the batch checks all use it."""
    return Q(business__in=PRODUCTION_BUSINESSES) & ~Q(status__in=CLOSED_STATUSES)

# Initial states a new request may take at submission.
INITIAL = _AFTER_STEPS | {S.PENDING_REVIEW}


def allowed(state: str, event: str, target: str) -> bool:
    return target in TRANSITIONS.get((state, event), frozenset())


# ---------------------------------------------------------------- review (app applications)

# The review queue's tabs by request status: waiting, refused, and passed (any status after the review;
# a request voided after its review is in none of them).
REVIEW_TAB_STATUSES: dict[str, tuple[str, ...]] = {
    ReviewTab.PENDING: (S.PENDING_REVIEW,),
    ReviewTab.REJECTED: (S.REJECTED,),
    ReviewTab.APPROVED: tuple(s for s in S if s not in (S.PENDING_REVIEW, S.REJECTED, S.VOIDED)),
}


def urgency(due_at: dt.datetime | None, now: dt.datetime) -> str:
    """A case against its due date: past it (overdue), due before the end of today (Beijing), or later."""
    if due_at is None:
        return Urgency.LATER
    if due_at < now:
        return Urgency.OVERDUE
    if timezone.localtime(due_at).date() == timezone.localtime(now).date():
        return Urgency.DUE_TODAY
    return Urgency.LATER


def claim_is_live(holder_id: int | None, until: dt.datetime | None, now: dt.datetime) -> bool:
    """A review claim holds until its expiry; an expired claim is as good as none."""
    return holder_id is not None and until is not None and until > now


# ---------------------------------------------------------------- 12333 work items (工单转办)

# ``WORK_ITEM_TRANSITIONS[(state, event)]`` is the state the event leads to; anything absent is refused.
# An item is created open; the target outlet accepts it, then closes it with its result; the operator
# who created it (or a supervisor) may cancel it while it is not finished.
WORK_ITEM_TRANSITIONS: dict[tuple[str, str], str] = {
    (WorkItemState.OPEN, WorkItemEvent.ACCEPT): WorkItemState.ACCEPTED,
    (WorkItemState.OPEN, WorkItemEvent.CANCEL): WorkItemState.CANCELLED,
    (WorkItemState.ACCEPTED, WorkItemEvent.CLOSE): WorkItemState.CLOSED,
    (WorkItemState.ACCEPTED, WorkItemEvent.CANCEL): WorkItemState.CANCELLED,
}
WORK_ITEM_PENDING = (WorkItemState.OPEN, WorkItemState.ACCEPTED)  # not finished: counts against its due date


def work_item_next(state: str, event: str) -> str | None:
    """The state ``event`` moves a work item in ``state`` to, or None when the table does not allow it."""
    return WORK_ITEM_TRANSITIONS.get((state, event))
