"""Writers of an outlet from the supervisor's pages: its issuance device status, and its settings.

``issuance_status`` decides instant issuance vs the 24-hour deferred production (``desk.production``):
while it is failed, window and kiosk applications of the outlet are made later, and a deferred card can
be finished only once it is ``working`` again.  The supervisor sets it here (the admin's list edit is the
other writer); the waiting deferred cards are then finished by the outlet's clerks.
"""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.core.ids import row_id
from sscard.staff.choices import DeviceStatus
from sscard.staff.config_audit import config_audit_record
from sscard.staff.models import Outlet
from sscard.staff.permissions import require

NOTE_MAX = 200
SETTINGS_FIELDS = ("has_signature_pad", "has_digital_archive", "accepts_pickup", "is_active")


def outlet_lock(outlet_id) -> Outlet:
    """Lock the outlet row for the rest of the transaction; ``OUTLET_NOT_FOUND`` if there is none."""
    pk = row_id(outlet_id)
    outlet = Outlet.objects.select_for_update().filter(pk=pk).first() if pk else None
    if outlet is None:
        raise NotFound("OUTLET_NOT_FOUND", "未找到该网点")
    return outlet


def outlet_issuance_status_set(*, actor, outlet_id, status: str, note: str = "") -> Outlet:
    """Set the outlet's issuance device to working or failed (device or network), with a note.

    Rules: the status is one of ``DeviceStatus``; a failure needs a note saying what failed (kept in the
    audit trail, at most 200 characters); setting the status it already has is refused
    (``ISSUANCE_STATUS_UNCHANGED``: a second supervisor pressing the same switch learns it is done).
    Checked under the outlet's row lock; audited as ``OUTLET_ISSUANCE_STATUS_CHANGED`` with before/after.
    """
    require(actor, "outlet.issuance_status_set")
    if status not in DeviceStatus.values:
        raise InvalidInput("ISSUANCE_STATUS_INVALID", "制卡设备状态无效，应为正常、设备故障或网络故障",
                           details={"field": "status"})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("ISSUANCE_NOTE_INVALID", f"说明不能超过{NOTE_MAX}个字符", details={"field": "note"})
    if status != DeviceStatus.WORKING and not note:
        raise InvalidInput("ISSUANCE_NOTE_INVALID", "设为故障时请填写故障情况说明", details={"field": "note"})
    with transaction.atomic():
        outlet = outlet_lock(outlet_id)
        before = outlet.issuance_status
        if before == status:
            raise Conflict("ISSUANCE_STATUS_UNCHANGED",
                           f"{outlet.name}的制卡设备已是“{DeviceStatus(status).label}”状态，未作修改",
                           details={"field": "status"})
        outlet.issuance_status = status
        outlet.save(update_fields=["issuance_status"])
        audit_record(event_type=AuditEventType.OUTLET_ISSUANCE_STATUS_CHANGED, actor=actor,
                     subject_type=outlet._meta.label_lower, subject_id=outlet.pk,
                     before={"issuance_status": before}, after={"issuance_status": status},
                     data={"note": note, "outlet_code": outlet.code, "via": "page"}, outlet_id=outlet.pk)
    return outlet


def outlet_settings_change(*, actor, outlet_id, **values) -> tuple[Outlet, dict]:
    """Change the outlet's means and services: signature pad, digital archive, pick-up, active.

    ``values`` holds some of ``SETTINGS_FIELDS`` as booleans.  Only the fields that change are saved and
    audited (``CONFIG_CHANGED``, before/after, ``via: page``); nothing changed writes nothing.  Returns the
    outlet and the changed fields' new values.
    """
    require(actor, "outlet.settings_change")
    unknown = sorted(set(values) - set(SETTINGS_FIELDS))
    bad = [name for name, value in values.items() if not isinstance(value, bool)]
    if unknown or bad:
        raise InvalidInput("OUTLET_SETTING_INVALID", "网点配置项不正确：须为“是”或“否”",
                           details={"fields": unknown + bad})
    with transaction.atomic():
        outlet = outlet_lock(outlet_id)
        changed = [name for name, value in values.items() if getattr(outlet, name) != value]
        if not changed:
            return outlet, {}
        before = {name: getattr(outlet, name) for name in changed}
        for name in changed:
            setattr(outlet, name, values[name])
        outlet.save(update_fields=changed)
        after = {name: values[name] for name in changed}
        config_audit_record(actor=actor, obj=outlet, kind="CHANGED", before=before, after=after, via="page")
    return outlet, after
