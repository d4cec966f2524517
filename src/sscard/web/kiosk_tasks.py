"""What the kiosk's welcome page offers (自助一体机): the businesses whose catalogue cells for the kiosk
channel allow at least one applicant role, each a big tile leading to its first page.

``KIOSK_TILES`` is the table of the kiosk's pages: a business with a kiosk page adds an entry (its
business, the URL name of its first page, the words of its tile).  Only entries whose URL exists and
whose business the catalogue offers at the kiosk are shown; the services check everything again when the
business is submitted."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import ApplicantRole, Business, Channel
from sscard.web.vocabulary import label


@dataclass(frozen=True)
class KioskTile:
    business: str  # a ``Business`` value
    url_name: str  # the first page of the business at the kiosk
    hint: str  # the words under the business's name


# In the order the welcome page shows them.  Add an entry for a new kiosk page (its URL in the 自助一体机
# block of web/urls.py); an entry whose URL does not exist yet is left out.
KIOSK_TILES: list[KioskTile] = [
    KioskTile(Business.APPLY, "web:kiosk_apply", _("首次申领社保卡，打印凭证到窗口制卡")),
]


def kiosk_cell(business: str, role: str = ApplicantRole.SELF):
    """The catalogue's cell of ``business`` at the kiosk for ``role`` (None when the catalogue has none)."""
    return get_catalogue().business(business).cell(Channel.KIOSK, role)


def offered_at_kiosk(business: str) -> bool:
    """The catalogue offers ``business`` at the kiosk to some applicant role."""
    spec = get_catalogue().business(business)
    cells = (spec.cell(Channel.KIOSK, role) for role in ApplicantRole)
    return any(cell is not None and cell.allowed for cell in cells)


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def kiosk_tiles() -> list[dict]:
    """The tiles of the welcome page: name (the catalogue's label), hint, URL."""
    tiles = []
    for tile in KIOSK_TILES:
        url = _url(tile.url_name)
        if url is None or not offered_at_kiosk(tile.business):
            continue
        tiles.append({"business": tile.business, "name": label(Business, tile.business),
                      "hint": str(tile.hint), "url": url})
    return tiles
