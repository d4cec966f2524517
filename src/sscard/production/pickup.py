"""Pick-up of a batch's cards at the submitting outlet, and the 96-hour activation sweep.

Pick-up (seed 批量办理·制卡及领取): only at the outlet that took the batch; by the batch's handler with
their ID card or card; a different person (the unit changed its handler) also brings a unit introduction
letter bearing the official seal, which is archived (image, or paper reference at an outlet without
digital means).  Every ready card of the batch is handed over; the applications complete; a replacement
ends the old card now and waits, like a first card, for the activation sweep.

Activation: ``batch_activation_hours`` (96) after pick-up the sweep switches on the social security
functions of each card still waiting.  It is idempotent (only cards still ``made`` are touched) and
catches up after downtime (everything due up to now), each activation audited.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from sscard.archive.services import archive_record_paper, archive_store_image
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record, audit_record_many
from sscard.batches.states import batch_lock
from sscard.cards.bulk import DueCard, cards_apply_event_bulk
from sscard.cards.choices import CardState
from sscard.cards.models import Card
from sscard.cards.rules import SWEEP_MOVES
from sscard.cards.services import card_hand_over, card_issue_replacement
from sscard.cards.sweeps import sweep_chunk_size
from sscard.core import clock
from sscard.core.bulk import update_by_ids
from sscard.core.errors import Refused
from sscard.desk.choices import RequestEvent, RequestStatus
from sscard.desk.intake import DocInput, EvidenceInput, person_find
from sscard.desk.services import request_lock, request_move
from sscard.employers.models import EmployerHandler
from sscard.policy.catalogue import get_catalogue, policy_setting
from sscard.policy.choices import Business, DocType
from sscard.policy.rules import cite
from sscard.production.choices import ItemEvent, ItemStage
from sscard.production.models import ProductionItem
from sscard.production.rules import next_item_stage
from sscard.staff.actors import Actor
from sscard.staff.permissions import require


@dataclass
class PickupLetter:
    image: bytes | None = None
    paper_ref: str = ""
    sealed: bool = False  # the clerk confirms the unit's official seal on the letter


def _rule() -> str:
    return cite(get_catalogue().unit.pickup.rule)


def batch_pickup(*, actor, batch_no: str, handler: DocInput, letter: PickupLetter | None = None,
                 evidence: EvidenceInput | None = None) -> list[ProductionItem]:
    """Hand over every ready card of the batch.  Audited ``BATCH_PICKED_UP`` (+ one card event per card)."""
    spec = get_catalogue().unit.pickup
    require(actor, "production.batch_pickup")
    if handler.doc_type not in spec.handler_docs:
        labels = "、".join(str(DocType(d).label) for d in spec.handler_docs)
        raise Refused("MATERIAL_HANDLER_DOC", f"领卡经办人须出示本人{labels}原件", rule=_rule())
    with transaction.atomic():
        batch = batch_lock(batch_no)
        if actor.outlet_id != batch.outlet_id:
            raise Refused("PICKUP_OUTLET_MISMATCH", "批量制卡只能到提交申请的业务网点领取", rule=_rule())
        require(actor, "production.batch_pickup", outlet_id=batch.outlet_id)
        person = person_find(handler)
        same = person.pk == batch.handler.person_id
        registered = EmployerHandler.objects.filter(employer_id=batch.employer_id, person=person,
                                                    is_active=True).exists()
        if not same:
            if spec.other_handler_letter and (letter is None or not letter.sealed
                                              or (letter.image is None and not letter.paper_ref.strip())):
                raise Refused("PICKUP_LETTER_REQUIRED",
                              "领卡人不是提交该批次的经办人，须出示加盖单位公章的介绍信", rule=_rule())
        items = list(ProductionItem.objects.select_for_update(of=("self",)).select_related("request", "card", "order")
                     .filter(order__batch=batch, stage=ItemStage.READY).order_by("order_id", "item_no"))
        if not items:
            raise Refused("PICKUP_NOTHING_READY", "该批次暂无可领取的社保卡", rule=_rule())
        if not same and spec.archive_letter:
            _archive_letter(actor, batch, person, letter)
        _hand_over(actor, items)
        audit_record(event_type=AuditEventType.BATCH_PICKED_UP, actor=actor, subject_type="batch", subject_id=batch.batch_no,
                     person_id=person.pk,
                     data={"cards": [i.card.card_no for i in items], "by_submitting_handler": same,
                           "registered_handler": registered, "handler_doc_type": handler.doc_type,
                           "letter": None if same else ("image" if letter.image else "paper")})
    return items


def _archive_letter(actor, batch, person, letter: PickupLetter) -> None:
    subject = {"subject_type": "batch", "subject_id": batch.batch_no, "person_id": person.pk}
    if letter.image is not None:
        archive_store_image(actor=actor, kind="intro_letter", content=letter.image, **subject)
    else:
        archive_record_paper(actor=actor, kind="intro_letter", reference=letter.paper_ref, **subject)


def _hand_over(actor, items: list[ProductionItem]) -> None:
    now = clock.now()
    due = now + dt.timedelta(hours=int(policy_setting("batch_activation_hours")))
    for item in items:
        req = request_lock(item.request.request_no)
        card = Card.objects.select_for_update().get(pk=item.card_id)
        if req.business != Business.APPLY and card.state == CardState.PRODUCED:
            card_issue_replacement(actor=actor, old_card_id=req.card_id, new=card, request=req, pending=True,
                                   extra_fields={"issued_at": now, "issued_outlet_id": actor.outlet_id})
        else:
            card_hand_over(actor=actor, card=card, outlet_id=actor.outlet_id,
                           data={"request_no": req.request_no, "delivery": "pickup", "activation_due_at": due})
        request_move(actor=actor, request=req, event=RequestEvent.HAND_OVER, target=RequestStatus.COMPLETED,
                     data={"card_no": card.card_no, "activation_due_at": due})
        item.stage = next_item_stage(item.stage, ItemEvent.PICK_UP)
        item.picked_up_at, item.activation_due_at, item.updated_at = now, due, now
    ProductionItem.objects.bulk_update(items, ["stage", "picked_up_at", "activation_due_at", "updated_at"])


def batch_activation_sweep(*, actor=None, now: dt.datetime | None = None, chunk: int | None = None) -> int:
    """Activate every batch card whose 96 hours since pick-up have passed; returns how many.  Safe to
    run any number of times, by two sweepers at once, and after any downtime.

    Set-based, ``chunk`` items a transaction (``SSCARD_SWEEP_CHUNK``): the due items (keyset by id,
    locked ``FOR UPDATE SKIP LOCKED``: another sweeper's are skipped), their cards moved ``made`` ->
    ``active`` by one guarded UPDATE (``cards.bulk``; each audited ``CARD_ACTIVATED``), the cards no longer
    ``made`` (reported lost, cancelled or activated at a window meanwhile) audited
    ``BATCH_ACTIVATION_SKIPPED``, and every item of the chunk marked dealt with by one UPDATE.
    """
    actor = actor or Actor.system("batch-activation")
    now = now or clock.now()
    from_state, event = SWEEP_MOVES["batch_activation"]
    size = sweep_chunk_size(chunk)
    encoder = DjangoJSONEncoder()
    # Due times repeat (a batch is picked up at once): the cards due at one time share one audit data dict,
    # which the bulk writers then encode once.  The time as audit_record's JSON writes it.
    shared: dict[tuple, dict] = {}

    def audit_data(due: dt.datetime) -> dict:
        key = (due, due.tzinfo)
        if key not in shared:
            shared[key] = {"reason": "batch_96h", "due_at": encoder.default(due)}
        return shared[key]

    done, last_id = 0, 0
    while True:
        with transaction.atomic():
            rows = list(ProductionItem.objects.select_for_update(of=("self",), skip_locked=True)
                        .filter(stage=ItemStage.PICKED_UP, activated_at__isnull=True,
                                activation_due_at__lte=now, card__isnull=False, id__gt=last_id)
                        .order_by("id").values_list("id", "card_id", "card__card_no", "card__person_id",
                                                    "activation_due_at")[:size])
            if not rows:
                return done
            last_id = rows[-1][0]
            cards = [DueCard(card_id, card_no, person_id, audit_data(due))
                     for _, card_id, card_no, person_id, due in rows]
            result = cards_apply_event_bulk(actor=actor, cards=cards, from_state=from_state, event=event,
                                            extra_fields={"activated_at": now})
            done += len(result.moved)
            if result.left:
                # nothing to switch on: audited with the state the card is in (locked, as before)
                states = dict(Card.objects.select_for_update().filter(pk__in=[c.card_id for c in result.left])
                              .values_list("id", "state"))
                audit_record_many(event_type=AuditEventType.BATCH_ACTIVATION_SKIPPED, actor=actor, rows=[
                    {"subject_type": "card", "subject_id": c.card_no, "person_id": c.person_id,
                     "data": {"state": states[c.card_id]}} for c in result.left])
            update_by_ids(ProductionItem, [row[0] for row in rows], {"activated_at": now, "updated_at": now})
