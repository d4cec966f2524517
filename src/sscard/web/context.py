"""What every page's layout shows: who is signed in, at which outlet and window, and the idle timeout."""

from django.conf import settings

from sscard.hardware.drivers import is_simulated
from sscard.web.access import staff_of


def _simulator(staff) -> bool:
    """The window pages show the simulated devices' controls when the drivers are the simulated ones."""
    return bool(staff and staff.outlet_id) and all(is_simulated(k) for k in ("id_reader", "card_terminal"))


def page(request) -> dict:
    staff = staff_of(request)
    idle = int(settings.SESSION_COOKIE_AGE)
    return {
        "staff": staff,
        "outlet": staff.outlet if staff else None,
        "session_idle_seconds": idle,
        "simulator": _simulator(staff),
        # warn at least 20 s before the end (WCAG 2.2.1), a minute when the timeout allows it
        "session_warn_seconds": max(20, min(60, idle // 2)),
    }
