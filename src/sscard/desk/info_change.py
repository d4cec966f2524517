"""信息变更 (information change): the business around ``people.services.person_info_update``."""

from django.db import transaction

from sscard.desk.intake import DocInput, EvidenceInput, Intake, business_intake
from sscard.people.services import info_changes_check, person_info_update
from sscard.policy.choices import ApplicantRole, Business
from sscard.policy.rules import resolve_cell


def person_info_change(*, actor, applicant: DocInput | None, changes: dict, agent: DocInput | None = None,
                       evidence: EvidenceInput | None = None) -> Intake:
    """信息变更 (window, self only): change address and/or phone of the card holder.

    Returns the ``Intake`` (completed ``ServiceRequest``).  Audit ``PERSON_INFO_CHANGED`` with the
    changed fields' before/after masked; the request payload names the fields only.
    """
    if agent is None:
        resolve_cell(Business.INFO_CHANGE, actor.channel, ApplicantRole.SELF)  # channel before content
    cleaned = info_changes_check(changes)
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.INFO_CHANGE, applicant=applicant, agent=agent,
                             evidence=evidence, payload={"fields": sorted(cleaned)})
        it.applicant = person_info_update(actor=actor, person_id=it.applicant.pk, cleaned=cleaned,
                                          request_no=it.request.request_no)
        return it
