"""The employer-batch part of the catalogue (``[unit]`` in catalogue.toml), parsed strictly.

Batches are the applicant role ``unit``: an employer's handler acts for many applicants at once.  Their
cells differ from individual businesses (a handler instead of an agent, submission routes, scans per row),
so they are parsed into their own frozen objects; the individual-business walk is unaffected.
"""

from dataclasses import dataclass, field

from sscard.policy.choices import Channel, PhotoRule

UNIT_BUSINESSES = ("batch_apply", "batch_reissue")
UNIT_CHANNELS = (Channel.WINDOW, Channel.KIOSK)
ROUTES = ("file", "paper")
SCAN_KINDS = ("id_front", "id_back", "hukou_own", "hukou_change")
SHEETS = ("new_card", "reissue")
_BUSINESS_KEYS = {"label", "rule", "sheet", "photo", "fee"}
_CELL_KEYS = {"handler", "routes", "archive", "signature", "voucher"}
_SCANS_KEYS = {"adult", "minor", "minor_photo", "photo_size", "photo_format"}
_PICKUP_KEYS = {"rule", "handler", "other_handler_letter", "archive_letter"}
_TO_INDIVIDUAL_KEYS = {"rule", "applicant", "archive", "signature"}


class UnitCatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class UnitCell:
    business: str
    channel: str
    handler_docs: tuple[str, ...]
    routes: tuple[str, ...]
    archive: bool
    signature: bool
    voucher: bool = False


@dataclass(frozen=True)
class UnitBusiness:
    code: str
    label: str
    rule: str
    sheet: str
    photo: str
    fee: bool
    cells: dict[str, UnitCell] = field(hash=False)


@dataclass(frozen=True)
class UnitScans:
    adult: tuple[str, ...]
    minor: tuple[str, ...]
    minor_photo: str
    photo_size: tuple[int, int]
    photo_format: str


@dataclass(frozen=True)
class UnitPickup:
    rule: str
    handler_docs: tuple[str, ...]
    other_handler_letter: bool
    archive_letter: bool


@dataclass(frozen=True)
class UnitToIndividual:
    """批量转零星: offered at a window only, to the applicant in person (no agent, no handler)."""

    rule: str
    applicant_docs: tuple[str, ...]
    archive: bool
    signature: bool


@dataclass(frozen=True)
class UnitCatalogue:
    businesses: dict[str, UnitBusiness] = field(hash=False)
    scans: UnitScans
    pickup: UnitPickup
    to_individual: UnitToIndividual


def _unknown(where: str, raw: dict, known: set) -> None:
    bad = set(raw) - known
    if bad:
        raise UnitCatalogueError(f"{where}: unknown keys {sorted(bad)}")


def business_for_sheet(unit: "UnitCatalogue", sheet: str) -> UnitBusiness:
    """The unit business whose detail sheet is ``sheet`` (``new_card`` / ``reissue``)."""
    return next(b for b in unit.businesses.values() if b.sheet == sheet)


def parse_unit(raw: dict, expand_docs) -> UnitCatalogue:
    """``expand_docs(names, where)`` expands document sets as the individual loader does."""
    sections = set(UNIT_BUSINESSES) | {"scans", "pickup", "to_individual"}
    missing = sections - set(raw)
    if missing:
        raise UnitCatalogueError(f"unit: missing {sorted(missing)}")
    _unknown("unit", raw, sections)
    businesses = {code: _business(code, raw[code], expand_docs) for code in UNIT_BUSINESSES}
    return UnitCatalogue(businesses=businesses, scans=_scans(raw["scans"]), pickup=_pickup(raw["pickup"], expand_docs),
                         to_individual=_to_individual(raw["to_individual"], expand_docs))


def _to_individual(raw: dict, expand_docs) -> UnitToIndividual:
    _unknown("unit.to_individual", raw, _TO_INDIVIDUAL_KEYS)
    docs = expand_docs(raw.get("applicant", []), "unit.to_individual")
    if not docs:
        raise UnitCatalogueError("unit.to_individual: say which applicant documents are accepted")
    return UnitToIndividual(rule=raw.get("rule", ""), applicant_docs=docs, archive=bool(raw.get("archive", False)),
                            signature=bool(raw.get("signature", False)))


def _business(code: str, raw: dict, expand_docs) -> UnitBusiness:
    where = f"unit.{code}"
    _unknown(where, raw, _BUSINESS_KEYS | set(UNIT_CHANNELS))
    if raw.get("sheet") not in SHEETS:
        raise UnitCatalogueError(f"{where}.sheet must be one of {SHEETS}")
    if raw.get("photo", PhotoRule.REQUIRED) not in (PhotoRule.REQUIRED, PhotoRule.ON_CHANGE):
        raise UnitCatalogueError(f"{where}.photo must be required or on_change")
    cells = {}
    for channel in UNIT_CHANNELS:
        if channel not in raw:
            continue
        cell = raw[channel]
        _unknown(f"{where}.{channel}", cell, _CELL_KEYS)
        routes = tuple(cell.get("routes", ()))
        if not routes or set(routes) - set(ROUTES):
            raise UnitCatalogueError(f"{where}.{channel}.routes must be a non-empty subset of {ROUTES}")
        handler = expand_docs(cell.get("handler", []), f"{where}.{channel}")
        if not handler:
            raise UnitCatalogueError(f"{where}.{channel}: say which handler documents are accepted")
        cells[channel] = UnitCell(business=code, channel=channel, handler_docs=handler, routes=routes,
                                  archive=bool(cell.get("archive", False)),
                                  signature=bool(cell.get("signature", False)),
                                  voucher=bool(cell.get("voucher", False)))
    if not cells:
        raise UnitCatalogueError(f"{where}: no channel offers this business")
    return UnitBusiness(code=code, label=raw.get("label", code), rule=raw.get("rule", ""), sheet=raw["sheet"],
                        photo=raw.get("photo", PhotoRule.REQUIRED), fee=bool(raw.get("fee", False)), cells=cells)


def _scans(raw: dict) -> UnitScans:
    _unknown("unit.scans", raw, _SCANS_KEYS)
    for key in ("adult", "minor"):
        if not isinstance(raw.get(key), list) or set(raw[key]) - set(SCAN_KINDS):
            raise UnitCatalogueError(f"unit.scans.{key} must list scan kinds from {SCAN_KINDS}")
    if raw.get("minor_photo") not in (PhotoRule.REQUIRED, PhotoRule.OPTIONAL):
        raise UnitCatalogueError("unit.scans.minor_photo must be required or optional")
    size = raw.get("photo_size")
    if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
        raise UnitCatalogueError("unit.scans.photo_size must be [width, height]")
    if raw.get("photo_format") not in ("jpeg", "png"):
        raise UnitCatalogueError("unit.scans.photo_format must be jpeg or png")
    return UnitScans(adult=tuple(raw["adult"]), minor=tuple(raw["minor"]), minor_photo=raw["minor_photo"],
                     photo_size=(size[0], size[1]), photo_format=raw["photo_format"])


def _pickup(raw: dict, expand_docs) -> UnitPickup:
    _unknown("unit.pickup", raw, _PICKUP_KEYS)
    handler = expand_docs(raw.get("handler", []), "unit.pickup")
    if not handler:
        raise UnitCatalogueError("unit.pickup: say which handler documents are accepted")
    return UnitPickup(rule=raw.get("rule", ""), handler_docs=handler,
                      other_handler_letter=bool(raw.get("other_handler_letter", True)),
                      archive_letter=bool(raw.get("archive_letter", True)))
