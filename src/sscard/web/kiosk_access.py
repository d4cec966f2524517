"""Who is at a kiosk page (自助一体机): the kiosk device the browser is bound to, as an ``Actor.for_kiosk``,
checked against the one access table (``sscard.staff.permissions``), and the customer signed in on it.

Two layers, both in the Django session and neither holding personal data:

* The device binding (``KIOSK_SESSION_KEY``): the installer types the kiosk's API token once on
  ``/kiosk/setup/`` (``load_demo_data`` prints the demo kiosks' tokens); the session keeps only the token's
  row id.  Each page checks the token again (``staff.tokens.token_is_live``: the kiosk lifetime of
  ``SSCARD_KIOSK_TOKEN_DAYS``, revoked or rotated away) and that the device is active, so a disabled kiosk
  or a rotated token ends the binding at the next touch.  A signed-in staff member is never a kiosk.
* The customer (``CUSTOMER_SESSION_KEY``): started by reading the ID card on the reader, the social
  security card in the terminal, or a 电子社保卡 code (``views.kiosk_session``); it holds the person's id
  (or, for someone not yet registered, the keyed lookup hash of the ID number the reader gave) and how
  they were identified.  It ends with 退出, after a business's evaluation, or after
  ``SSCARD_KIOSK_IDLE_SECONDS`` without a request (checked here too, not only by ``kiosk.js``).

``@kiosk_page("page.kiosk")`` names the view's operation (``view.operation``, walked by
``web/tests/test_access.py``); ``@kiosk_customer_page("card.apply")`` also needs a customer signed in (else
the kiosk's sign-in page).  An unbound browser is sent to the setup page; a ``DomainError`` becomes the
kiosk's error page and a device that fails (``hardware.DeviceUnavailable``) the 「请到窗口办理」 page,
never a 5xx.
"""

import functools
import time
from dataclasses import dataclass

from django.conf import settings
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from sscard.core import clock
from sscard.core.errors import DomainError
from sscard.hardware.drivers import is_simulated
from sscard.hardware.interfaces import DeviceUnavailable
from sscard.staff import permissions
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, KioskDevice
from sscard.staff.tokens import token_is_live, token_touch

KIOSK_SESSION_KEY = "sscard_kiosk"
CUSTOMER_SESSION_KEY = "sscard_kiosk_customer"
PREFS_SESSION_KEY = "sscard_kiosk_prefs"

# how a customer was identified
BY_ID_CARD, BY_SS_CARD, BY_ECARD = "id_card", "ss_card", "ecard"


@dataclass(frozen=True)
class KioskCustomer:
    """The customer signed in at the kiosk: ``person_id`` (None for someone the system does not know yet,
    then ``id_hash`` is the lookup hash of the ID number the reader gave) and how they were identified."""

    person_id: int | None
    id_hash: str
    how: str


def bound_token(raw: str) -> ApiToken | None:
    """The live kiosk token row of ``raw`` whose device is active, or None (unknown, expired, revoked,
    another kind of token, device disabled)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    row = (ApiToken.objects.select_related("kiosk__outlet")
           .filter(token_hash=ApiToken.hash_token(raw), kind=ApiToken.Kind.KIOSK).first())
    if row is None or row.kiosk is None or not row.kiosk.is_active or not token_is_live(row, clock.now()):
        return None
    return row


def kiosk_bind(request, token: ApiToken) -> None:
    """Bind this browser to the token's kiosk: the old session's data go (a staff sign-in with them)."""
    request.session.flush()
    rotate_token(request)  # a new CSRF secret with the new session, as Django's login() does
    request.session[KIOSK_SESSION_KEY] = {"token": int(token.pk)}
    if hasattr(request, "_sscard_kiosk"):
        del request._sscard_kiosk  # read again from the new binding


def _kiosk_row(request) -> KioskDevice | None:
    if hasattr(request, "_sscard_kiosk"):
        return request._sscard_kiosk
    device = None
    held = request.session.get(KIOSK_SESSION_KEY)
    user = getattr(request, "user", None)
    if isinstance(held, dict) and not (user is not None and user.is_authenticated):
        row = (ApiToken.objects.select_related("kiosk__outlet")
               .filter(pk=held.get("token"), kind=ApiToken.Kind.KIOSK).first())
        now = clock.now()
        if row is not None and row.kiosk is not None and row.kiosk.is_active and token_is_live(row, now):
            token_touch(row, now)
            device = row.kiosk
    request._sscard_kiosk = device
    return device


def kiosk_device(request) -> KioskDevice | None:
    """The kiosk this browser is bound to (token live, device active), or None."""
    return _kiosk_row(request)


def kiosk_of(request) -> Actor | None:
    """The bound kiosk as an ``Actor.for_kiosk``, or None."""
    device = _kiosk_row(request)
    return Actor.for_kiosk(device, outlet=device.outlet) if device is not None else None


def kiosk_station(request) -> str:
    """The hardware station of the bound kiosk (``kiosk:<code>``), where its reader and terminal sit."""
    return f"kiosk:{_kiosk_row(request).code}"


# ---------------------------------------------------------------- the customer


def idle_seconds() -> int:
    return max(int(settings.SSCARD_KIOSK_IDLE_SECONDS), 1)


def idle_warning_seconds() -> int:
    """The countdown shown before the end: at least 20 s (WCAG 2.2.1), never longer than the idle time."""
    return min(max(int(settings.SSCARD_KIOSK_IDLE_WARNING_SECONDS), 20), idle_seconds())


def customer_start(request, *, person_id: int | None, id_hash: str = "", how: str) -> None:
    """A new customer at the kiosk: whatever an earlier one left goes first."""
    customer_end(request)
    request.session[CUSTOMER_SESSION_KEY] = {"person": person_id, "id_hash": id_hash, "how": how,
                                             "seen": time.time()}


def customer_end(request) -> None:
    """End the customer session: the customer, their page preferences (长辈版, voice) and any draft of a
    business kept under a ``kiosk_draft_`` key."""
    for key in [k for k in request.session.keys() if k.startswith("kiosk_draft_")]:
        del request.session[key]
    request.session.pop(CUSTOMER_SESSION_KEY, None)
    request.session.pop(PREFS_SESSION_KEY, None)
    request._sscard_customer = None


def kiosk_customer_of(request) -> KioskCustomer | None:
    """The customer signed in (not idle past the timeout: an idle one is ended here), or None."""
    if hasattr(request, "_sscard_customer"):
        return request._sscard_customer
    held = request.session.get(CUSTOMER_SESSION_KEY)
    customer = None
    if isinstance(held, dict):
        # a small grace over the page's own countdown: the page ends the session itself at zero
        if time.time() - float(held.get("seen") or 0) > idle_seconds() + 15:
            customer_end(request)
        else:
            held["seen"] = time.time()
            request.session.modified = True
            customer = KioskCustomer(person_id=held.get("person"), id_hash=held.get("id_hash") or "",
                                     how=held.get("how") or "")
    request._sscard_customer = customer
    return customer


def kiosk_prefs(request) -> dict:
    held = request.session.get(PREFS_SESSION_KEY)
    held = held if isinstance(held, dict) else {}
    return {"large": bool(held.get("large")), "voice": bool(held.get("voice"))}


def kiosk_prefs_set(request, **changes: bool) -> None:
    prefs = kiosk_prefs(request)
    prefs.update({k: bool(v) for k, v in changes.items() if k in prefs})
    request.session[PREFS_SESSION_KEY] = prefs


def kiosk_safe_next(request, value: str | None) -> str:
    """A path of the kiosk's pages on this site, else the welcome page."""
    home = reverse("web:kiosk_home")
    if value and value.startswith(home) and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return home


def kiosk_sign_in_url(request, next_url: str | None = None) -> str:
    return f"{reverse('web:kiosk_sign_in')}?{urlencode({'next': next_url or request.get_full_path()})}"


# ---------------------------------------------------------------- rendering


def kiosk_render(request, template: str, context: dict, *, status: int = 200, idle: bool = True):
    """Render a kiosk page: the layout's preferences, the idle countdown (``idle=False`` on the welcome
    and setup pages), the 退出 button while a customer is signed in, the simulated devices' panel."""
    device = kiosk_device(request)
    return render(request, template, {
        **context,
        "kiosk": device,
        "customer": kiosk_customer_of(request) if device is not None else None,
        "prefs": kiosk_prefs(request),
        "idle": idle and device is not None,
        "idle_seconds": idle_seconds(),
        "idle_warning_seconds": idle_warning_seconds(),
        "simulated": {"id_reader": is_simulated("id_reader"), "card_terminal": is_simulated("card_terminal")},
    }, status=status)


def kiosk_error_page(request, exc: DomainError):
    return kiosk_render(request, "web/kiosk/error.html", {"error": exc, "title": _("无法办理")},
                        status=exc.status)


def kiosk_device_failed(request, exc: DeviceUnavailable | None = None, *, kept: dict | None = None):
    """「请到窗口办理」: a reader, terminal or printer of this kiosk failed.  ``kept`` names what is kept
    (e.g. ``{"request_no": ..., "voucher_no": ...}``), shown so nothing is lost.  Status 200: the page is
    the kiosk's answer, not a server error."""
    return kiosk_render(request, "web/kiosk/device_failed.html", {
        "title": _("请到窗口办理"), "device_message": exc.message_zh if exc is not None else "",
        "kept": kept or {}})


def kiosk_page(name: str, *, customer: bool = False):
    """Name the kiosk page's operation in the access table; a bound kiosk required (else the setup page),
    with ``customer=True`` a customer signed in too (else the kiosk's sign-in page)."""
    permissions.operation(name)  # an unknown name fails at import

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            actor = kiosk_of(request)
            if actor is None:
                return redirect("web:kiosk_setup")
            request.actor = actor
            request.kiosk = kiosk_device(request)
            request.customer = kiosk_customer_of(request)
            if customer and request.customer is None:
                target = request.get_full_path() if request.method == "GET" else reverse("web:kiosk_home")
                return redirect(kiosk_sign_in_url(request, target))
            try:
                permissions.require(actor, name)
                return view(request, *args, **kwargs)
            except DeviceUnavailable as exc:
                return kiosk_device_failed(request, exc)
            except DomainError as exc:
                return kiosk_error_page(request, exc)

        checked.operation = name
        checked.kiosk_customer = customer
        return checked

    return decorate


def kiosk_customer_page(name: str):
    """``kiosk_page(name, customer=True)``: a page of a business, for the customer signed in."""
    return kiosk_page(name, customer=True)
