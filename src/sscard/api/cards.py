"""Card-lifecycle businesses that take effect in one call: information change, PIN change / reset / verify,
unlock, loss report and withdrawal, status query, cancellation and rollback.

Access: only callers acting on a business channel (window clerk, kiosk, app user, hotline operator); the
channel comes from the caller.  Each endpoint calls one service; the catalogue decides what the channel
and applicant role may do.  A PIN never passes through the API: the terminal at the caller's station
reads it from the PIN pad.
"""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from sscard.api.auth import CHANNEL_ACTORS, require
from sscard.api.schemas import DocIn, ErrorOut, EvidenceIn, RequestOut

router = Router(tags=["cards"])
_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class CardOut(Schema):
    card_no: str
    state: str
    state_label: str
    aaz502: str
    state_changed_at: dt.datetime
    temp_loss_expires_at: dt.datetime | None = None


class BusinessIn(Schema):
    applicant: DocIn | None = None
    agent: DocIn | None = None
    evidence: EvidenceIn | None = None


class InfoChangeIn(BusinessIn):
    changes: dict[str, str | None] = Field(default_factory=dict)


class BusinessOut(Schema):
    request: RequestOut | None
    card: CardOut | None


class PinOut(Schema):
    ok: bool
    request: RequestOut | None = None
    card: CardOut
    remaining_attempts: int | None = None


class OpenRequestOut(Schema):
    request_no: str
    business: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    due_provisional: bool
    pickup_outlet: str | None


class StatusOut(Schema):
    request: RequestOut | None
    cards: list[CardOut]
    open_requests: list[OpenRequestOut]


def _actor(request):
    return require(request.auth, **CHANNEL_ACTORS)


def _parts(body: BusinessIn) -> dict:
    return {
        "applicant": body.applicant.to_input() if body.applicant else None,
        "agent": body.agent.to_input() if body.agent else None,
        "evidence": body.evidence.to_input() if body.evidence else None,
    }


def _business_out(it) -> dict:
    from sscard.cards.selectors import card_out

    return {"request": RequestOut.of(it.request) if it.request else None,
            "card": card_out(it.card) if it.card else None}


@router.post("/info-change", response={200: BusinessOut, **_ERRORS})
def info_change(request, body: InfoChangeIn):
    from sscard.desk.info_change import person_info_change

    return _business_out(person_info_change(actor=_actor(request), changes=body.changes, **_parts(body)))


@router.post("/loss/report", response={200: BusinessOut, **_ERRORS})
def loss_report(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_loss_report

    return _business_out(card_loss_report(actor=_actor(request), **_parts(body)))


@router.post("/loss/withdraw", response={200: BusinessOut, **_ERRORS})
def loss_withdraw(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_loss_withdraw

    return _business_out(card_loss_withdraw(actor=_actor(request), **_parts(body)))


@router.post("/unlock", response={200: BusinessOut, **_ERRORS})
def unlock(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_unlock

    return _business_out(card_unlock(actor=_actor(request), **_parts(body)))


@router.post("/cancel", response={200: BusinessOut, **_ERRORS})
def cancel(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_cancel

    return _business_out(card_cancel(actor=_actor(request), **_parts(body)))


@router.post("/rollback", response={200: BusinessOut, **_ERRORS})
def rollback(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_rollback

    return _business_out(card_rollback(actor=_actor(request), **_parts(body)))


@router.post("/status-query", response={200: StatusOut, **_ERRORS})
def status_query(request, body: BusinessIn):
    from sscard.desk.lifecycle import card_status_query

    parts = _parts(body)
    parts.pop("evidence")
    it, status = card_status_query(actor=_actor(request), **parts)
    return {"request": RequestOut.of(it.request) if it.request else None, **status}


def _pin_response(outcome):
    """A refused PIN attempt is a 422 rendered here (the counter / lock it wrote must commit)."""
    from sscard.cards.selectors import card_out

    if outcome.error is not None:
        return Status(422, outcome.error.as_dict())
    return Status(200, {"ok": True, "request": RequestOut.of(outcome.request) if outcome.request else None,
                 "card": card_out(outcome.card), "remaining_attempts": outcome.remaining})


@router.post("/pin/change", response={200: PinOut, **_ERRORS})
def pin_change(request, body: BusinessIn):
    from sscard.desk.pin import pin_change as service

    return _pin_response(service(actor=_actor(request), **_parts(body)))


@router.post("/pin/reset", response={200: PinOut, **_ERRORS})
def pin_reset(request, body: BusinessIn):
    from sscard.desk.pin import pin_reset as service

    return _pin_response(service(actor=_actor(request), **_parts(body)))


@router.post("/pin/verify", response={200: PinOut, **_ERRORS})
def pin_verify(request, body: BusinessIn):
    from sscard.desk.pin import pin_verify as service

    return _pin_response(service(actor=_actor(request), applicant=body.applicant.to_input() if body.applicant
                                 else None))
