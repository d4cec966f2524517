"""应用状态查询 (status query): a read, with the checks every business shares and a line in the access
log.

The procedure (规程·社保卡应用状态查询):
  "服务窗口读取社保卡或通过有效身份证件查询信息，告知查询结果后，原件退还本人";
  on the app "登录……即可查看".
Unlike every business that changes something (
  "在社保卡信息管理系统中进行处理并留存凭证影像及办理场景影像", then 资料存档),
the query is not processed in the system and keeps nothing:
it has no 资料存档 section, and the cross-cutting rule says the status query archives nothing.  So a query
makes no business record (``ServiceRequest``) and no audit event; who looked at whose cards is recorded
in the access log (``audit.access``), one INSERT outside the event chain.

The checks are those of ``desk.intake.business_intake``, in its order: the channel offers the query at
all, the parties (the app account's own person, or the person the presented document belongs to; the
agent, known or not), the catalogue cell for the role, the documents presented, a window clerk at an
outlet.  Should the catalogue ever ask a status-query cell for evidence, the intake's evidence check
applies (a query brings none, so it is refused as before).

Statements: the person and their cards in one (a person with no card yet: one more), the open production
requests in one, the access log in one; an agent presented adds one.  With the caller's token that is 4
for the app and for a window self query.
"""

from sscard.audit.access import access_record
from sscard.core.errors import NotFound
from sscard.desk.intake import (
    DocInput,
    EvidenceInput,
    agent_presented,
    applicant_role_for,
    cell_keeps_evidence,
    evidence_check,
    evidence_needs,
    outlet_of,
    person_find,
    presented_document_check,
    refuse_agent_is_applicant,
    refuse_not_account_holder,
    refuse_window_without_outlet,
)
from sscard.desk.selectors import card_status_of, status_cards
from sscard.people.lookup import id_hash
from sscard.people.models import Person
from sscard.policy.choices import Business, Channel, DocType
from sscard.policy.rules import (
    Materials,
    cite_business,
    material_problems,
    precheck_channel,
    raise_problems,
    resolve_cell,
)

OPERATION = "card.status_query"


def _applicant_cards(actor, applicant: DocInput | None) -> tuple[int, list, Person | None]:
    """(the applicant's person id, their cards newest first, the person row when it was read alone).

    One statement: the cards joined to their holder, found by the account, the presented card number or
    the keyed hash of the ID number; a person known but holding no card yet costs a second."""
    business = Business.STATUS_QUERY
    if actor.channel == Channel.APP:
        refuse_not_account_holder(actor, business, applicant)
        return actor.person_id, list(status_cards().filter(person_id=actor.person_id)), None
    presented_document_check(business, applicant)
    if applicant.doc_type == DocType.SS_CARD:
        cards = list(status_cards().filter(person__cards__card_no=applicant.number.strip().upper()))
        if not cards:
            raise NotFound("CARD_NOT_FOUND", "未找到该社会保障卡，请核对卡号")
        return cards[0].person_id, cards, None
    cards = list(status_cards().filter(person__id_hash=id_hash(applicant.number, applicant.doc_type)))
    if cards:
        return cards[0].person_id, cards, None
    person = person_find(applicant)  # PERSON_NOT_FOUND, or a person whose first card is still to come
    return person.pk, [], person


def card_status_query(*, actor, applicant: DocInput | None, agent: DocInput | None = None) -> dict:
    """应用状态查询 (window: by presented document, self or agent; app: the account's own cards).

    Returns ``person_id``, the card states (label and AAZ502 code) and the progress of open production
    requests; no archive data.  A read: no business record, no audit event, no lock; the look is one
    access-log row (``card.status_query``), written once the answer is known (a refusal shows nothing and
    is not logged).
    """
    business = Business.STATUS_QUERY
    precheck_channel(business, actor.channel, proxy=agent is not None)  # before any lookup
    person_id, cards, person = _applicant_cards(actor, applicant)
    agent_person = agent_presented(agent) if agent is not None else None
    refuse_agent_is_applicant(agent_person, person_id)
    birth_date = None
    if agent is not None:  # only a proxy's role depends on the applicant's age
        holder = cards[0].person if cards else person or Person.objects.only("birth_date").get(pk=person_id)
        birth_date = holder.birth_date
    role = applicant_role_for(birth_date=birth_date, has_agent=agent is not None)
    cell = resolve_cell(business, actor.channel, role)
    raise_problems(material_problems(cell, Materials(applicant_doc=applicant.doc_type if applicant else None,
                                                     agent_doc=agent.doc_type if agent else None)),
                   rule=cite_business(business))
    refuse_window_without_outlet(cell, actor.outlet_id)
    if cell_keeps_evidence(cell):  # not in the procedure's catalogue today: the intake's own check
        evidence_check(evidence_needs(cell, outlet=outlet_of(actor)), EvidenceInput(), cell,
                       rule=cite_business(business))
    status = card_status_of(person_id, cards=cards)
    access_record(actor=actor, operation=OPERATION, person_id=person_id, card_ids=[c.pk for c in cards])
    return status
