"""Reads of outlets for the supervisor's pages: the list with their means and device status, one outlet."""

from sscard.core.errors import NotFound
from sscard.core.ids import row_id
from sscard.staff.choices import DeviceStatus
from sscard.staff.models import Outlet


def outlets_list(*, active_only: bool = False, failed_only: bool = False, outlet_id: int | None = None) -> list[Outlet]:
    """Outlets by district and code; ``failed_only``: those whose issuance device is not working."""
    qs = Outlet.objects.order_by("district", "code")
    if active_only:
        qs = qs.filter(is_active=True)
    if failed_only:
        qs = qs.exclude(issuance_status=DeviceStatus.WORKING)
    if outlet_id is not None:
        qs = qs.filter(pk=outlet_id)
    return list(qs)


def outlet_choices() -> list[tuple[int, str]]:
    """(id, "name（district）") of every outlet, for a filter's choices (inactive ones marked)."""
    return [(o.pk, f"{o.name}（{o.district}）" + ("" if o.is_active else "·已停用"))
            for o in Outlet.objects.order_by("district", "code")]


def outlet_get(outlet_id) -> Outlet:
    pk = row_id(outlet_id)
    outlet = Outlet.objects.filter(pk=pk).first() if pk else None
    if outlet is None:
        raise NotFound("OUTLET_NOT_FOUND", "未找到该网点")
    return outlet
