"""Loads ``catalogue.toml`` (the procedure as data) into frozen objects, once per process.

``settings.SSCARD_CATALOGUE_PATH`` may point to another file (a city edits data, not code).  The loader
validates the file strictly: an unknown key, channel, role, document or step stops the process at start
rather than letting a typo silently allow or refuse a business.
"""

import functools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from sscard.policy.choices import (
    ApplicantRole,
    Business,
    CardEvent,
    CardReason,
    CardState,
    Channel,
    DocType,
    PhotoRule,
)
from sscard.policy.unit import UnitCatalogue, UnitCatalogueError, parse_unit

DEFAULT_PATH = Path(__file__).with_name("catalogue.toml")
INDIVIDUAL_CHANNELS = (Channel.WINDOW, Channel.KIOSK, Channel.APP, Channel.PHONE)
INDIVIDUAL_ROLES = (ApplicantRole.SELF, ApplicantRole.PROXY_ADULT, ApplicantRole.PROXY_MINOR)
STEPS = ("review", "voucher", "fee")
EVIDENCE = ("originals", "images", "account", "voice")
_CELL_KEYS = {"allowed", "reason", "applicant", "agent", "photo", "evidence", "archive", "archive_when",
              "signature", "steps", "temporary"}
_BUSINESS_KEYS = {"label", "rule", "card_states", "requires_no_card", "reasons", "same_cells_as",
                  "changeable_fields"}
ARCHIVE_WHEN = ("", "card_from_app")
CHANGEABLE_FIELDS = ("address", "phone")
# Every setting the code reads, with its type: a missing or mistyped one stops the process at start.
SETTINGS_SCHEMA = {
    "adult_age": int, "pin_max_wrong_attempts": int, "temp_loss_lapse_days": int, "rollback_window_days": int,
    "reversible_events": list, "instant_fallback_hours": int, "app_production_working_days": int,
    "batch_production_working_days": int, "batch_activation_hours": int, "evaluation_follow_up_working_days": int,
    "voucher_valid_days": int,
    "batch_to_individual_stages": list, "production_order_max_items": int,
    "work_item_categories": list, "work_item_due_working_days": int,
}
WORK_ITEM_CATEGORY_MAX = 20  # the longest category name a work item stores (desk.WorkItem.category)


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Cell:
    """What the procedure says for one (business, channel, applicant role)."""

    business: str
    channel: str
    role: str
    allowed: bool
    reason: str = ""
    applicant_docs: tuple[str, ...] = ()
    agent_docs: tuple[str, ...] = ()
    photo: str = PhotoRule.NONE
    evidence: str = "originals"
    archive: bool = False
    archive_when: str = ""
    signature: bool = False
    steps: tuple[str, ...] = ()
    temporary: bool = False


@dataclass(frozen=True)
class BusinessSpec:
    code: str
    label: str
    rule: str
    card_states: tuple[str, ...]
    reasons: tuple[str, ...]
    changeable_fields: tuple[str, ...]
    cells: dict[tuple[str, str], Cell] = field(hash=False)
    # The business is for a person with no card in use (申领): a card holder is refused (CARD_ALREADY_HELD)
    # and the app's task list does not offer it to them.  Exclusive of ``card_states`` (those name the
    # states of the card a business acts on).
    requires_no_card: bool = False

    def admits(self, card_state: str | None) -> bool:
        """The business may be done by a person whose card in use is in ``card_state`` (None: no card in
        use): a ``requires_no_card`` business only without one, a business with ``card_states`` only on a
        card in one of them, any other whatever the card."""
        if self.requires_no_card:
            return card_state is None
        if self.card_states:
            return card_state is not None and card_state in self.card_states
        return True

    def cell(self, channel: str, role: str) -> Cell | None:
        return self.cells.get((channel, role))


@dataclass(frozen=True)
class Catalogue:
    version: str
    source: str
    settings: dict[str, Any] = field(hash=False)
    businesses: dict[str, BusinessSpec] = field(hash=False)
    unit: UnitCatalogue | None = field(default=None, hash=False)  # employer batches (``[unit]``)

    def business(self, code: str) -> BusinessSpec:
        return self.businesses[code]

    def setting(self, name: str):
        return self.settings[name]


def _expand_docs(names: list[str], doc_sets: dict[str, list[str]], where: str) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        values = doc_sets.get(name, [name])
        for value in values:
            if value not in DocType.values:
                raise CatalogueError(f"{where}: unknown document {value!r}")
            if value not in out:
                out.append(value)
    return tuple(out)


def _parse_cell(code: str, channel: str, role: str, raw: dict, doc_sets) -> Cell:
    where = f"{code}.{channel}.{role}"
    unknown = set(raw) - _CELL_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    allowed = raw.get("allowed", True)
    if not allowed:
        if not raw.get("reason"):
            raise CatalogueError(f"{where}: a refused cell needs a reason")
        return Cell(business=code, channel=channel, role=role, allowed=False, reason=raw["reason"])
    photo = raw.get("photo", PhotoRule.NONE)
    if photo not in PhotoRule.values:
        raise CatalogueError(f"{where}: unknown photo rule {photo!r}")
    evidence = raw.get("evidence", "originals")
    if evidence not in EVIDENCE:
        raise CatalogueError(f"{where}: unknown evidence {evidence!r}")
    steps = tuple(raw.get("steps", ()))
    if set(steps) - set(STEPS):
        raise CatalogueError(f"{where}: unknown steps {steps}")
    if raw.get("archive_when", "") not in ARCHIVE_WHEN:
        raise CatalogueError(f"{where}: unknown archive_when {raw['archive_when']!r}")
    agent_docs = _expand_docs(raw.get("agent", []), doc_sets, where)
    is_proxy = role != ApplicantRole.SELF
    if is_proxy and not agent_docs:
        raise CatalogueError(f"{where}: a proxy cell must say which agent documents are accepted")
    if not is_proxy and agent_docs:
        raise CatalogueError(f"{where}: a self cell takes no agent documents")
    return Cell(
        business=code, channel=channel, role=role, allowed=True,
        applicant_docs=_expand_docs(raw.get("applicant", []), doc_sets, where),
        agent_docs=agent_docs, photo=photo, evidence=evidence,
        archive=bool(raw.get("archive", False)), archive_when=raw.get("archive_when", ""),
        signature=bool(raw.get("signature", False)), steps=steps, temporary=bool(raw.get("temporary", False)),
    )


def parse_catalogue(data: dict) -> Catalogue:
    doc_sets = data.get("doc_sets", {})
    raw_businesses = {k: v for k, v in data.items() if k in Business.values}
    unknown = set(data) - set(Business.values) - {"version", "source", "settings", "doc_sets", "unit"}
    if unknown:
        raise CatalogueError(f"unknown top-level keys {sorted(unknown)}")
    missing = set(Business.values) - set(raw_businesses)
    if missing:
        raise CatalogueError(f"businesses missing from the catalogue: {sorted(missing)}")

    def raw_cells(code: str, seen=()) -> dict[tuple[str, str], dict]:
        raw = raw_businesses[code]
        cells: dict[tuple[str, str], dict] = {}
        base = raw.get("same_cells_as")
        if base:
            if base in seen:
                raise CatalogueError(f"{code}: same_cells_as loops")
            cells.update(raw_cells(base, seen + (code,)))
        for channel, roles in raw.items():
            if channel in _BUSINESS_KEYS:
                continue
            if channel not in INDIVIDUAL_CHANNELS:
                raise CatalogueError(f"{code}: unknown channel or key {channel!r}")
            for role, cell in roles.items():
                if role not in INDIVIDUAL_ROLES:
                    raise CatalogueError(f"{code}.{channel}: unknown role {role!r}")
                cells[(channel, role)] = cell
        return cells

    _check_settings(data.get("settings", {}))
    businesses = {}
    for code, raw in raw_businesses.items():
        _check_business_lists(code, raw)
        cells = {key: _parse_cell(code, key[0], key[1], cell, doc_sets) for key, cell in raw_cells(code).items()}
        businesses[code] = BusinessSpec(
            code=code, label=raw.get("label", code), rule=raw.get("rule", ""),
            card_states=tuple(raw.get("card_states", ())), reasons=tuple(raw.get("reasons", ())),
            changeable_fields=tuple(raw.get("changeable_fields", ())), cells=cells,
            requires_no_card=raw.get("requires_no_card", False),
        )
    try:
        unit = parse_unit(data.get("unit", {}),
                          lambda names, where: _expand_docs(names, doc_sets, where))
    except UnitCatalogueError as exc:
        raise CatalogueError(str(exc)) from None
    return Catalogue(version=data["version"], source=data.get("source", ""), settings=dict(data["settings"]),
                     businesses=businesses, unit=unit)


def _check_settings(values: dict) -> None:
    for name, kind in SETTINGS_SCHEMA.items():
        if not isinstance(values.get(name), kind) or isinstance(values.get(name), bool):
            raise CatalogueError(f"settings.{name} must be a {kind.__name__}")
    unknown = set(values) - set(SETTINGS_SCHEMA)
    if unknown:
        raise CatalogueError(f"unknown settings {sorted(unknown)}")
    bad = set(values["reversible_events"]) - set(CardEvent.values)
    if bad:
        raise CatalogueError(f"settings.reversible_events: unknown card events {sorted(bad)}")
    categories = values["work_item_categories"]
    if (not categories or len(set(categories)) != len(categories)
            or not all(isinstance(c, str) and 0 < len(c.strip()) == len(c) <= WORK_ITEM_CATEGORY_MAX
                       for c in categories)):
        raise CatalogueError("settings.work_item_categories must be distinct names of 1 to "
                             f"{WORK_ITEM_CATEGORY_MAX} characters (no surrounding spaces), at least one")
    if values["work_item_due_working_days"] < 1:
        raise CatalogueError("settings.work_item_due_working_days must be at least 1")


def _check_business_lists(code: str, raw: dict) -> None:
    checks = (("card_states", CardState.values), ("reasons", CardReason.values),
              ("changeable_fields", CHANGEABLE_FIELDS))
    for key, known in checks:
        bad = set(raw.get(key, ())) - set(known)
        if bad:
            raise CatalogueError(f"{code}.{key}: unknown values {sorted(bad)}")
    no_card = raw.get("requires_no_card", False)
    if not isinstance(no_card, bool):
        raise CatalogueError(f"{code}.requires_no_card must be true or false")
    if no_card and raw.get("card_states"):
        raise CatalogueError(f"{code}: requires_no_card and card_states exclude each other")


@functools.cache
def _load(path: str) -> Catalogue:
    with open(path, "rb") as fh:
        return parse_catalogue(tomllib.load(fh))


def get_catalogue() -> Catalogue:
    return _load(str(getattr(settings, "SSCARD_CATALOGUE_PATH", DEFAULT_PATH)))


def policy_setting(name: str):
    return get_catalogue().setting(name)
