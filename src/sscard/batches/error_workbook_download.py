"""Handing out a batch's error workbook (错误回执): only to the submitting employer's handler, at the
batch's outlet, each time audited.

The workbook lists people the employer put in its sheet, so it goes back the way the sheet came: a window
clerk or a kiosk of the outlet that took the batch (other outlets do not find it), for a person who
presents the document of an active handler of the batch's employer (the one who submitted it, or another
handler the employer has registered since).  A document that is not one answers the same refusal whether
or not its number is known (nothing is disclosed about who is registered).  Each download writes
``BATCH_ERRORS_DOWNLOADED``: who handed it out, to which handler, which batch, how many rows and the
SHA-256 of the bytes.  The workbook itself is masked (``error_workbook``).
"""

import hashlib
from dataclasses import dataclass

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches import selectors
from sscard.batches.choices import BatchStatus
from sscard.batches.services import unit_cell
from sscard.batches.states import SUBJECT
from sscard.cards.models import Card
from sscard.core.errors import Conflict, Refused
from sscard.desk.intake import DocInput
from sscard.employers.models import EmployerHandler
from sscard.people.lookup import id_hashes
from sscard.policy.choices import DocType
from sscard.staff.permissions import require

OPERATION = "batch.error_workbook_download"
NOT_HANDLER = "出示证件的人员不是提交该批次的单位登记的有效经办人，错误回执只交该单位经办人"


@dataclass(frozen=True)
class ErrorWorkbook:
    batch_no: str
    content: bytes


def _handler_presenting(batch, doc: DocInput) -> EmployerHandler:
    """The active handler of the batch's employer whose document this is, or the one refusal."""
    handlers = EmployerHandler.objects.filter(employer_id=batch.employer_id, is_active=True)
    number = (doc.number or "").strip()
    if not number:
        raise Refused("HANDLER_NOT_AUTHORISED", NOT_HANDLER)
    if doc.doc_type == DocType.SS_CARD:
        holders = Card.objects.filter(card_no=number.upper()).values("person_id")
        handlers = handlers.filter(person_id__in=holders)
    else:
        handlers = handlers.filter(person__id_hash__in=id_hashes(number, doc.doc_type))
    handler = handlers.select_related("person").first()
    if handler is None:
        raise Refused("HANDLER_NOT_AUTHORISED", NOT_HANDLER)
    return handler


def batch_error_workbook_download(*, actor, batch_no: str, handler: DocInput) -> ErrorWorkbook:
    """The batch's error workbook for its employer's handler presenting ``handler``.  Audited
    ``BATCH_ERRORS_DOWNLOADED``.

    Refusals: a caller who is not a window clerk or kiosk (``ACCESS_DENIED``), a batch of another outlet
    (``BATCH_NOT_FOUND``, as for any read of it there), a handler document the outlet's catalogue cell
    does not take (``MATERIAL_HANDLER_DOC``) or that is not an active handler of the batch's employer
    (``HANDLER_NOT_AUTHORISED``), a batch not yet validated (``BATCH_STATE``).
    """
    require(actor, OPERATION)
    with transaction.atomic():
        batch = selectors.batch_for(actor, batch_no)
        require(actor, OPERATION, outlet_id=batch.outlet_id)
        _spec, cell = unit_cell(batch.business, actor.channel)
        if handler.doc_type not in cell.handler_docs:
            labels = "、".join(str(DocType(d).label) for d in cell.handler_docs)
            raise Refused("MATERIAL_HANDLER_DOC", f"单位经办人须出示{labels}原件")
        who = _handler_presenting(batch, handler)
        if batch.status != BatchStatus.VALIDATED:
            raise Conflict("BATCH_STATE", "批次尚未校验完成，暂无错误回执")
        content = selectors.error_workbook(batch)
        audit_record(event_type=AuditEventType.BATCH_ERRORS_DOWNLOADED, actor=actor, subject_type=SUBJECT,
                     subject_id=batch.batch_no, person_id=who.person_id,
                     data={"handler_id": who.pk, "handler_doc_type": handler.doc_type,
                           "submitted_by_handler_id": batch.handler_id, "employer": batch.employer.uscc,
                           "refused_rows": batch.refused_rows,
                           "sha256": hashlib.sha256(content).hexdigest()})
    return ErrorWorkbook(batch_no=batch.batch_no, content=content)
