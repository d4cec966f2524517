"""批量转零星 (batch to individual): a person in a batch who urgently needs the card has it made at a window.

Allowed only while the row's card data is generated but the card is not in production (the item's stage
is one of ``rules.convertible_stages()``, or the row is accepted and not yet in an order), only for the
applicant in person at a window (``[unit.to_individual]``).  The row leaves its batch and order, and
the window makes the card on the spot and switches its functions on (or within 24 hours when the
device or network fails: the usual deferred production).  Locks: the order (when there is one), then the
item and the application, the same order as the production job's, so a race has exactly one winner.
"""

import hashlib

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_deferred, audit_record
from sscard.batches import storage
from sscard.batches.checking import StoredScans
from sscard.batches.choices import RowEvent, RowStatus
from sscard.batches.models import BatchRow
from sscard.batches.rules import next_row_status
from sscard.batches.storage import local_scans
from sscard.cards.choices import CardState
from sscard.cards.services import card_apply_event, card_lock
from sscard.core import clock
from sscard.core.errors import Conflict, NotFound, Refused
from sscard.desk.choices import Delivery, ProductionMode, RequestStatus
from sscard.desk.intake import (
    DocInput,
    EvidenceInput,
    evidence_check,
    evidence_needs,
    evidence_store,
    outlet_of,
    person_find,
)
from sscard.desk.models import ServiceRequest
from sscard.desk.production import production_begin
from sscard.desk.selectors import open_production_requests
from sscard.desk.services import request_lock, request_save
from sscard.policy.catalogue import Cell, get_catalogue
from sscard.policy.choices import ApplicantRole, Channel, DocType
from sscard.policy.rules import cite
from sscard.production.choices import ItemEvent, ItemStage
from sscard.production.models import ProductionItem
from sscard.production.rules import convertible_stages, next_item_stage
from sscard.production.services import order_lock
from sscard.staff.permissions import require


def _rule() -> str:
    return cite(get_catalogue().unit.to_individual.rule)


def _batch_request(person) -> ServiceRequest:
    req = open_production_requests().filter(applicant=person, production_mode=ProductionMode.BATCH).first()
    if req is None:
        raise NotFound("BATCH_REQUEST_NOT_FOUND", "该人员没有正在办理中的单位批量制卡业务", rule=_rule())
    return req


def batch_to_individual(*, actor, applicant: DocInput, evidence: EvidenceInput | None = None,
                        agent: DocInput | None = None) -> ServiceRequest:
    """Take the applicant's row out of its batch and make the card at this window."""
    spec = get_catalogue().unit.to_individual
    if actor.channel != Channel.WINDOW:
        raise Refused("BUSINESS_NOT_ON_CHANNEL", "批量转零星只能在服务窗口办理", rule=_rule())
    require(actor, "production.to_individual")
    if agent is not None:
        raise Refused("ROLE_NOT_ALLOWED", "批量转零星只能由申办人本人办理，不受理代办", rule=_rule())
    if applicant.doc_type not in spec.applicant_docs:
        labels = "、".join(str(DocType(d).label) for d in spec.applicant_docs)
        raise Refused("MATERIAL_APPLICANT_DOC", f"申办人须出示本人{labels}原件", rule=_rule())
    evidence = evidence or EvidenceInput()
    cell = Cell(business="batch_to_individual", channel=Channel.WINDOW, role=ApplicantRole.SELF, allowed=True,
                archive=spec.archive, signature=spec.signature)
    outlet = outlet_of(actor)
    needs = evidence_needs(cell, outlet=outlet)
    evidence_check(needs, evidence, cell)
    person = person_find(applicant)
    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        found = _batch_request(person)
        item = ProductionItem.objects.filter(request=found).select_related("order").first()
        if item is not None:
            order_lock(item.order.order_no)
            item = ProductionItem.objects.select_for_update().get(pk=item.pk)
        req = request_lock(found.request_no)
        stage = item.stage if item is not None else ItemStage.GENERATED
        if req.status != RequestStatus.IN_PRODUCTION or req.production_mode != ProductionMode.BATCH \
                or stage not in convertible_stages():
            label = ItemStage(stage).label if req.status == RequestStatus.IN_PRODUCTION else RequestStatus(req.status).label
            raise Refused("BATCH_NOT_CONVERTIBLE",
                          f"该人员的批量制卡当前为“{label}”，只有已产生制卡数据且尚未制卡时才能转零星办理",
                          rule=_rule(), details={"stage": stage})
        row = BatchRow.objects.select_for_update().get(request=req)
        row_status = next_row_status(row.status, RowEvent.CONVERT)
        if row_status is None:
            raise Conflict("BATCH_ROW_STATE", f"该批量明细行当前为“{RowStatus(row.status).label}”，不能转零星办理")
        now = clock.now()
        if item is not None:
            item.stage, item.updated_at = next_item_stage(item.stage, ItemEvent.CONVERT), now
            item.save(update_fields=["stage", "updated_at"])
        row.status = row_status
        row.save(update_fields=["status"])
        batch_no = req.payload.get("batch_no", "")
        req.channel, req.applicant_role, req.agent, req.outlet = Channel.WINDOW, ApplicantRole.SELF, None, outlet
        req.pickup_outlet, req.delivery, req.due_at = None, Delivery.COUNTER, None
        req.materials = {**req.materials, "converted_from_batch": batch_no, "applicant_doc": applicant.doc_type}
        req.save(update_fields=["channel", "applicant_role", "agent", "outlet", "pickup_outlet", "delivery",
                                "due_at", "materials"])
        evidence_store(actor=actor, request=req, needs=needs, evidence=evidence)
        photo = _batch_photo(row, person, local_scans)
        req.status = production_begin(actor=actor, request=req, photo=photo)
        if req.status == RequestStatus.COMPLETED:
            req.completed_at = now
            _activate_on_the_spot(actor, req)
        request_save(req)
        audit_record(event_type=AuditEventType.BATCH_ROW_CONVERTED, actor=actor, subject_type="service_request",
                     subject_id=req.request_no, person_id=person.pk, before={"production_mode": "batch",
                                                                             "stage": stage},
                     after={"status": req.status, "production_mode": req.production_mode},
                     data={"batch_no": batch_no, "line_no": row.line_no,
                           "order_no": item.order.order_no if item else "", "item_no": item.item_no if item else ""})
    return req


def _batch_photo(row: BatchRow, person, local_scans) -> bytes | None:
    """The row's photo from the batch's scans zip (through the directory kept at submission), if it is
    still the file that was checked (same SHA-256)."""
    if "photo" not in row.scans or not row.batch.scans_name:
        return None
    with local_scans(row.batch.scans_name) as path, \
            StoredScans(str(path), storage.scans_index_for(row.batch.scans_name)).open() as scans:
        name = scans.find(person.id_number, "photo")
        content = scans.read(name) if name else None
    if content is None or hashlib.sha256(content).hexdigest() != row.scans["photo"]:
        return None
    return content


def _activate_on_the_spot(actor, req: ServiceRequest) -> None:
    """Seed: the window makes the card, switches on its social security functions and hands it over."""
    card = card_lock(req.new_card_id)
    if card.state == CardState.MADE:
        card_apply_event(card=card, event="activate", actor=actor, request=req,
                         extra_fields={"activated_at": clock.now()})
