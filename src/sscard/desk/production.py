"""Production start and finish of a business's card: instant issuance at the outlet's printer, deferred
window production (24 h), central production (app, 5 working days).

A new card of the reissue family handed over on the spot ends the old card in the same transaction and
is active at once; one made ahead of its hand-over waits as ``produced`` while the old card stays in
use, and the swap happens at hand-over (``cards.services.card_issue_replacement``).

The printer and the card terminal are called before the first audit write of the transaction, never
after it: the businesses that reach ``production_begin`` after audited writes
(evidence, person, fee) run in ``audit.services.audit_deferred``, and ``production_finish`` is reached
before any.  The print, the card and the request's move are one transaction under the request's lock
(a new request is not visible to anyone else yet), so no void or finish can come between them; if the
transaction fails after the print, the printed card is spoiled and its number never recorded.
"""

import secrets

from sscard.archive.models import ArchiveItem
from sscard.archive.selectors import archive_item_content, archive_items_for
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.models import Card
from sscard.cards.services import NewCard, card_lock_replaced, card_make, card_no_new, card_replace
from sscard.core import clock
from sscard.core.errors import Conflict, DomainError
from sscard.desk.choices import Delivery, ProductionMode, RequestStatus
from sscard.desk.models import ServiceRequest
from sscard.hardware.drivers import get_card_terminal, get_issuance_printer
from sscard.hardware.interfaces import DeviceUnavailable
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business, Channel
from sscard.workdays.rules import DueDate
from sscard.workdays.selectors import add_hours, add_working_days

REISSUE_FAMILY = (Business.REISSUE, Business.REPLACE, Business.RENEW)


def _request_photo(request: ServiceRequest, photo: bytes | None) -> bytes | None:
    """The photo to print: the one that came with this business, else the one archived with it."""
    if photo is not None:
        return photo
    item = archive_items_for("service_request", request.request_no).filter(kind="photo").last()
    if item is None and not request.photo_changed:
        item = _earlier_photo(request)
    if item is None:
        return None
    try:
        return archive_item_content(item)
    except DomainError:
        return None  # the file is not (yet) on storage: print without it rather than block issuance


def _earlier_photo(request: ServiceRequest):
    """The applicant's latest photo archived with an earlier business (photo unchanged: reuse it)."""
    return (ArchiveItem.objects.filter(kind="photo", person_id=request.applicant_id, subject_type="service_request")
            .exclude(subject_id=request.request_no).order_by("created_at", "id").last())


def _print_card(outlet, card_no: str, request: ServiceRequest, photo: bytes | None = None) -> str:
    """Personalise the card on the outlet's issuance printer; returns the chip identification code.

    Raises ``DeviceUnavailable`` when the printer (or its network) fails.
    """
    result = get_issuance_printer().print_card(f"outlet:{outlet.code}", card_no=card_no,
                                               holder_name=request.applicant.name,
                                               photo_jpeg=_request_photo(request, photo))
    return result.identification_code


def request_card_make(*, actor, request: ServiceRequest, identification_code: str, card_no: str,
                      issued_outlet=None) -> Card:
    """Create the new card of ``request`` (``cards.services.card_make``) and link it to the request.

    First card (apply): ``made``; it is activated by the activation business.  Reissue family handed
    over now (instant issuance): the old card ends and the new one is active at once, in one transaction.
    Reissue family made ahead of its hand-over (deferred or central): the new card is ``produced`` (not
    live) and the old card stays in use until it is handed over.
    """
    handed_over = issued_outlet is not None
    replacement = request.business in REISSUE_FAMILY
    old = card_lock_replaced(request.card_id) if replacement else None
    if not replacement and Card.objects.select_for_update().filter(person_id=request.applicant_id,
                                                                   state__in=LIVE_STATES).exists():
        raise Conflict("CARD_ALREADY_HELD", "该人员已持有社保卡，不能重复制卡")
    state = CardState.MADE
    if replacement and handed_over:
        # the old card ends first, so the new one is live at once (one live card per person)
        card_replace(actor=actor, old=old, new_card_no=card_no, request=request)
        state = CardState.ACTIVE
    elif replacement:
        state = CardState.PRODUCED
    card = card_make(actor=actor, new=NewCard(
        card_no=card_no, identification_code=identification_code, person_id=request.applicant_id, state=state,
        origin_channel=request.channel, origin_request=request, issued_outlet=issued_outlet,
        replaces=old if replacement and handed_over else None, delivery=request.delivery,
        audit_data={"request_no": request.request_no, "production_mode": request.production_mode,
                    "replaces": old.card_no if old else ""}))
    request.new_card = card
    return card


def app_production_due(submitted_at) -> DueDate:
    """Rule (网上办理): the card is made within ``app_production_working_days`` working days of the
    submission; the review queue shows the same due date while the application waits for review."""
    return add_working_days(submitted_at, int(policy_setting("app_production_working_days")))


def production_begin(*, actor, request: ServiceRequest, photo: bytes | None = None) -> str:
    """Steps are clear: make the card now, or schedule it.  Returns the request's next status.

    App: central production due in ``app_production_working_days`` working days from submission.
    Window/kiosk: instant issuance at the outlet when its issuance is working and the printer answers
    (card made and handed over: completed); otherwise deferred, due in ``instant_fallback_hours``.
    Call before the transaction's first audit write (see the module docstring).
    """
    if request.channel == Channel.APP:
        due = app_production_due(request.created_at)
        request.production_mode = ProductionMode.CENTRAL
        request.due_at, request.due_provisional = due.due_at, due.provisional
        return RequestStatus.IN_PRODUCTION
    outlet = request.outlet
    if outlet is not None and outlet.issuance_status == "working":
        card_no = card_no_new()
        try:
            code = _print_card(outlet, card_no, request, photo)
        except DeviceUnavailable:
            pass
        else:
            request.production_mode = ProductionMode.INSTANT
            request.delivery = Delivery.COUNTER
            request_card_make(actor=actor, request=request, identification_code=code, card_no=card_no,
                              issued_outlet=outlet)
            return RequestStatus.COMPLETED
    request.production_mode = ProductionMode.DEFERRED
    request.due_at = add_hours(clock.now(), int(policy_setting("instant_fallback_hours")))
    return RequestStatus.IN_PRODUCTION


def production_finish(*, actor, request: ServiceRequest, hand_over: bool) -> Card:
    """Finish deferred (printer must work now) or central production; ``hand_over`` issues at once."""
    card_no = card_no_new()
    if request.production_mode == ProductionMode.CENTRAL:
        # The card vendor writes the chip: an initial PIN nobody knows (the holder resets it at a window
        # or kiosk), so PIN businesses work on a centrally made card like on any other.
        try:
            get_card_terminal().personalise(card_no)
        except DeviceUnavailable:
            raise Conflict("ISSUANCE_UNAVAILABLE", "制卡设备暂不可用，请稍后重试") from None
        return request_card_make(actor=actor, request=request, identification_code=secrets.token_hex(16).upper(),
                                 card_no=card_no)
    outlet = request.outlet
    if outlet is None or outlet.issuance_status != "working":
        raise Conflict("ISSUANCE_UNAVAILABLE", "本网点制卡设备或网络故障，暂不能制卡")
    try:
        code = _print_card(outlet, card_no, request)
    except DeviceUnavailable:
        raise Conflict("ISSUANCE_UNAVAILABLE", "制卡设备暂不可用，请稍后重试") from None
    return request_card_make(actor=actor, request=request, identification_code=code, card_no=card_no,
                             issued_outlet=outlet if hand_over else None)
