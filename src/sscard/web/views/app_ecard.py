"""The app's 电子社保卡 page: the masked card number, the QR of a fresh short-lived code
(``cards.ecard.ecard_code_issue``, the service ``POST /api/v1/ecard/code`` calls), its expiry time and
the seconds left.  Each GET issues a new code (a read: nothing is stored until a window or kiosk uses
it); "刷新二维码" is a POST that sends back to the GET.  The code lives only in the page (never in the
session or a URL; every response is ``no-store``).  A refusal (no card, lost, locked, not yet active) is
the app's error page with the service's message (``@citizen_page``)."""

import base64
import math

from django.shortcuts import redirect
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from sscard.archive.qr import qr_svg
from sscard.cards.ecard import ecard_code_issue
from sscard.core import clock
from sscard.web.public_access import app_render, citizen_page


def qr_data_uri(code: str) -> str:
    """The QR as an ``<img>`` source: the helper's SVG draws with ``style`` attributes, which the strict
    CSP (no ``'unsafe-inline'`` styles) would drop from inline markup; an image is its own document, and
    base64 leaves nothing of it to be read as the page's HTML."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(code).encode()).decode()


@citizen_page("ecard.code_issue")
@require_http_methods(["GET", "POST"])
def ecard(request):
    if request.method == "POST":
        return redirect("web:app_ecard")  # the GET issues the new code; a reload never re-posts
    issued = ecard_code_issue(actor=request.actor)
    left = max(0, math.ceil((issued.expires_at - clock.now()).total_seconds()))
    return app_render(request, "web/app/ecard.html", {
        "title": pgettext("app page", "电子社保卡"), "card_no": issued.card_no_masked,
        "qr": qr_data_uri(issued.code), "expires_at": issued.expires_at, "seconds_left": left})
