"""What a reviewer sees of an app application: the applicant in full and the uploaded images.

Reviewers must compare the typed data with the uploaded documents, so they see full values here and
nowhere else; each full view writes an audit event (who looked at whose data, when).
"""

from django.db import transaction

from sscard.archive.selectors import archive_item_content, archive_items_for
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core.errors import NotFound
from sscard.desk.choices import ReviewItem
from sscard.desk.models import ServiceRequest
from sscard.staff.permissions import require


def _request(request_no: str) -> ServiceRequest:
    req = (ServiceRequest.objects.select_related("applicant", "agent")
           .filter(request_no=str(request_no)[:24], channel="app").first())
    if req is None:
        raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
    return req


def review_applicant_full_view(*, actor, request_no: str) -> dict:
    """The applicant's (and agent's) data in full, and the list of archived images; audited."""
    require(actor, "request.review_detail")
    req = _request(request_no)
    people = {"applicant": req.applicant, "agent": req.agent}
    out = {
        party: {"name": p.name, "id_type": p.id_type, "id_number": p.id_number, "birth_date": p.birth_date,
                "gender": p.gender, "phone": p.phone, "address": p.address}
        for party, p in people.items() if p is not None
    }
    items = archive_items_for("service_request", req.request_no)
    out["images"] = [{"id": i.pk, "kind": i.kind, "content_type": i.content_type, "width": i.width,
                      "height": i.height, "sha256": i.sha256} for i in items]
    with transaction.atomic():
        audit_record(event_type=AuditEventType.PERSON_VIEWED_IN_FULL, actor=actor, subject_type="service_request",
                     subject_id=req.request_no, person_id=req.applicant_id,
                     data={"purpose": "review", "agent_person_id": req.agent_id})
    return out


def review_image(*, actor, request_no: str, item_id: int) -> tuple[bytes, str]:
    """One archived image of the application, checked against its SHA-256; audited."""
    require(actor, "request.review_image")
    req = _request(request_no)
    item = archive_items_for("service_request", req.request_no).filter(pk=item_id).first()
    if item is None:
        raise NotFound("ARCHIVE_ITEM_NOT_FOUND", "未找到该影像")
    content = archive_item_content(item)
    with transaction.atomic():
        audit_record(event_type=AuditEventType.EVIDENCE_VIEWED, actor=actor, subject_type="service_request",
                     subject_id=req.request_no, person_id=req.applicant_id,
                     data={"item_id": item.pk, "kind": item.kind})
    return content, item.content_type


def review_image_items(images: list[dict]) -> list[dict]:
    """Each image of the full view with the review item it shows (``ReviewItem``), so a refusal can be
    tied to it: the photo, and the uploaded documents in upload order (the applicant's, then the agent's)."""
    out, documents = [], [ReviewItem.APPLICANT_DOC_IMAGE, ReviewItem.AGENT_DOC_IMAGE]
    for image in images:
        if image["kind"] == "photo":
            item = ReviewItem.PHOTO
        elif image["kind"] == "uploaded_document" and documents:
            item = documents.pop(0)
        else:
            item = ReviewItem.OTHER
        out.append({**image, "item": str(item), "label": str(item.label) if item != ReviewItem.OTHER else "其他影像"})
    return out
