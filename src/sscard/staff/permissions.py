"""Who may do what: the access rules services and interfaces read.

``require_outlet_clerk``: a window step belongs to a clerk of the outlet that holds the business.
"""

from sscard.core.errors import Forbidden


def require_outlet_clerk(actor, outlet_id) -> None:
    """A window clerk with an outlet; and of ``outlet_id`` when given."""
    if actor.kind != "staff" or actor.role != "clerk" or actor.outlet_id is None:
        raise Forbidden("ACCESS_DENIED", "该环节须由服务窗口经办员办理")
    if outlet_id is not None and actor.outlet_id != outlet_id:
        raise Forbidden("OUTLET_MISMATCH", "该业务不属于本网点，请到受理网点办理")
