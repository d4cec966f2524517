"""Turning accepted batch rows into applications, a chunk at a time (called by ``validation``).

Database checks of a row: for a new card, the person has no live card and no open production business,
and an already registered person has the same name; for a reissue, the person has a live card in a state
the catalogue allows for that business.  Unknown persons are created from the row; each accepted row
becomes a ``desk.ServiceRequest`` of role ``unit``: central batch production due with the batch (10
working days), picked up at the submitting outlet, or first awaiting the fee (batch reissue).

The reasons go back to the employer in the error workbook, so none of them tells what is registered about
the person (another name under the number, a card and its state, a business in progress): a name that does
not match is ``IDENTITY_MISMATCH``, and every "not on this person" refusal is one ``NOT_BY_BATCH`` that
sends the person to a window, where they are served in person.  Test: ``tests/test_reasons.py``.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from sscard.batches import columns as cols
from sscard.cards.choices import LIVE_STATES
from sscard.cards.models import Card
from sscard.core import clock, crypto, masking
from sscard.core.bulk import bulk_insert, clone, pairs_where_in
from sscard.desk.choices import Delivery, ProductionMode, RequestStatus, Step
from sscard.desk.models import ServiceRequest
from sscard.desk.selectors import open_production_requests
from sscard.fees.selectors import fee_quote
from sscard.people.models import Person
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business, CardReason

IDENTITY_MISMATCH = "身份信息核验不一致，请核对身份证件"
BUSY = "该行暂时无法办理，请稍后重新提交"


def not_by_batch(label: str) -> str:
    """The one reason for a person this business cannot be done for by batch (has a card, has no card,
    the card's state, an open business): which of them is not said."""
    return f"该人员不能通过单位批量办理{label}，请本人持身份证件到服务窗口咨询"


@dataclass
class ChunkContext:
    persons: dict[str, Person]  # id_hash -> person
    live_cards: dict[int, Card]  # person id -> live card
    pending: set[int]  # person ids with an open production business
    created_person_ids: list[int] = field(default_factory=list)

    @classmethod
    def load(cls, batch, id_hashes: list[str]) -> "ChunkContext":
        found = [pk for _, pk in pairs_where_in(Person, "id_hash", id_hashes, "id")]  # usually none or all
        persons = {p.id_hash: p for p in Person.objects.filter(pk__in=found)} if found else {}
        ids = [p.pk for p in persons.values()]
        cards = {c.person_id: c for c in Card.objects.filter(person_id__in=ids, state__in=LIVE_STATES)}
        pending = set(open_production_requests().filter(applicant_id__in=ids).values_list("applicant_id", flat=True))
        return cls(persons=persons, live_cards=cards, pending=pending)


def _business_of(batch, values: dict) -> str:
    if batch.kind == cols.NEW_CARD:
        return Business.APPLY
    return cols.REISSUE_BUSINESSES.get(values.get("business", ""), "")


def refuse_by_database(batch, checked, ctx: ChunkContext) -> None:
    """Add the Chinese reasons that only the database can tell (existing card, pending business ...)."""
    cat = get_catalogue()
    in_chunk: dict[str, int] = {}
    for c in checked:
        if not c.chk.ok:
            continue
        first = in_chunk.setdefault(c.id_hash, c.row.line_no)
        if first != c.row.line_no:  # the same person under two spellings of the number (15 / 18 digits)
            c.chk.problems.append(f"文件内证件号码重复（与第 {first} 行为同一人）")
            continue
        person = ctx.persons.get(c.id_hash)
        name = c.chk.values.get("name", "")
        if person is not None and person.name != name:
            c.chk.problems.append(IDENTITY_MISMATCH)
            continue
        business = _business_of(batch, c.chk.values)
        spec = cat.business(business)
        if person is not None and person.pk in ctx.pending:
            c.chk.problems.append(not_by_batch(spec.label))
            continue
        card = ctx.live_cards.get(person.pk) if person is not None else None
        if business == Business.APPLY:
            if card is not None:
                c.chk.problems.append(not_by_batch(spec.label))
            continue
        if card is None or card.state not in spec.card_states:
            c.chk.problems.append(not_by_batch(spec.label))
            continue
        reason = cols.REASON_BY_LABEL.get(c.chk.values.get("reason", ""), "")
        if spec.reasons and reason not in spec.reasons:
            allowed = "、".join(str(CardReason(r).label) for r in spec.reasons)
            c.chk.problems.append(f"{spec.label}的原因须为：{allowed}")


def _new_person(template: Person, c) -> Person:
    v = c.chk.values
    phone = v.get("phone", "")
    return clone(template, name=v["name"][:100], id_type=c.chk.doc_type, birth_date=c.chk.birth_date,
                 gender=c.chk.gender, ethnicity=v.get("ethnicity", "")[:20],
                 nationality=(v.get("nationality") or "中国")[:40], address=v.get("address", ""),
                 id_number=crypto.normalise(c.chk.id_number), id_hash=c.id_hash, phone=phone,
                 phone_hash=crypto.lookup_hash(phone, purpose="phone") if phone else "")


def _persons(checked, ctx: ChunkContext, now) -> None:
    missing = {}
    template = Person(created_at=now, updated_at=now)
    for c in checked:
        if c.chk.ok and c.id_hash not in ctx.persons and c.id_hash not in missing:
            missing[c.id_hash] = _new_person(template, c)
    if missing:
        created = list(missing.values())
        bulk_insert(Person, created, key="id_hash")
        for p in created:
            ctx.persons[p.id_hash] = p
            ctx.created_person_ids.append(p.pk)


def request_template(batch, now) -> ServiceRequest:
    """What every application of this batch shares (cloned per row by ``_request``)."""
    return ServiceRequest(
        business=Business.APPLY, channel=batch.channel, applicant_role="unit",
        catalogue_version=get_catalogue().version, agent_id=batch.handler.person_id, outlet_id=batch.outlet_id,
        kiosk_id=batch.kiosk_id, actor_name=batch.actor_name, actor_role=batch.actor_role,
        status=RequestStatus.IN_PRODUCTION, production_mode=ProductionMode.BATCH, due_at=batch.due_at,
        due_provisional=batch.due_provisional, delivery=Delivery.PICKUP, pickup_outlet_id=batch.outlet_id,
        created_at=now, updated_at=now)


def _request(template, batch, c, person, card, fee) -> ServiceRequest:
    v = c.chk.values
    business = _business_of(batch, v)
    reason = cols.REASON_BY_LABEL.get(v.get("reason", ""), "") if business != Business.APPLY else ""
    owes = fee is not None and fee.amount_fen > 0
    guardian = ({"doc_type": c.chk.guardian_doc_type, "name": masking.mask_name(v.get("guardian_name")),
                 "number": masking.mask_id_number(c.chk.guardian_number)} if c.chk.guardian_number else None)
    return clone(
        template, request_no=f"{batch.batch_no}{c.row.line_no:06d}", business=business,
        applicant_id=person.pk, card_id=card.pk if card is not None else None,
        status=RequestStatus.AWAITING_FEE if owes else RequestStatus.IN_PRODUCTION,
        pending_steps=[Step.FEE] if owes else [], reason=reason, photo_changed=v.get("photo_changed") == "是",
        materials={"route": batch.route, "batch_no": batch.batch_no, "line_no": c.row.line_no,
                   "scans": sorted(c.scans), "handler_doc": batch.handler_doc_type},
        payload={"batch_no": batch.batch_no, "line_no": c.row.line_no, "service_bank": v.get("service_bank", ""),
                 "guardian": guardian},
        fee_amount_fen=fee.amount_fen if fee is not None else None)


def save_applications(batch, checked, ctx: ChunkContext, *, careful: bool) -> dict:
    """Create persons and applications for the rows still ok; returns ``{line_no: ServiceRequest}``.

    ``careful``: one savepoint per row, so a row that lost a race (unique person / one open production
    business per person) is refused with a reason instead of failing the chunk.
    """
    now = clock.now()
    if not careful:
        _persons(checked, ctx, now)
    out: dict[int, ServiceRequest] = {}
    pending_objs = []
    quotes: dict[tuple, object] = {}
    template = request_template(batch, now)
    charges_fee = get_catalogue().unit.businesses[batch.business].fee  # batch reissue: settled per batch
    for c in checked:
        if not c.chk.ok:
            continue
        if careful:
            try:
                with transaction.atomic():
                    _persons([c], ctx, now)
            except IntegrityError:  # the unique person index: created elsewhere meanwhile
                person = Person.objects.filter(id_hash=c.id_hash).first()
                if person is None:
                    c.chk.problems.append(BUSY)
                    continue
                ctx.persons[c.id_hash] = person
        person = ctx.persons[c.id_hash]
        card = ctx.live_cards.get(person.pk)
        business = _business_of(batch, c.chk.values)
        fee = None
        if charges_fee:
            reason = cols.REASON_BY_LABEL.get(c.chk.values.get("reason", ""), "")
            key = (business, reason, person.fee_exempt)
            if key not in quotes:
                quotes[key] = fee_quote(business=business, reason=reason, fee_exempt=person.fee_exempt)
            fee = quotes[key]
        req = _request(template, batch, c, person, card if business != Business.APPLY else None, fee)
        if careful:
            try:
                with transaction.atomic():
                    req.save(force_insert=True)
            except IntegrityError:  # one open production business per person
                c.chk.problems.append(not_by_batch(get_catalogue().business(business).label))
                continue
            out[c.row.line_no] = req
        else:
            pending_objs.append((c.row.line_no, req))
    if pending_objs:
        bulk_insert(ServiceRequest, [r for _, r in pending_objs], key="request_no")
        out.update(dict(pending_objs))
    return out

