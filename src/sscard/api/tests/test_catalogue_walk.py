"""Walks every cell of the catalogue (business x channel x applicant role) through the API.

For each cell the caller is the actor of that channel (window clerk, kiosk, app user, hotline operator);
the body presents exactly the documents the catalogue asks for (the presented documents are the
materials).  An allowed cell must succeed (2xx) and leave a business record and audit events; a refused
cell must answer with the catalogue's refusal code and change nothing.  Cells come from the catalogue file itself, so editing the data re-targets the test.
"""

import itertools

import pytest

from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event
from sscard.desk.models import ServiceRequest
from sscard.policy.catalogue import INDIVIDUAL_CHANNELS, INDIVIDUAL_ROLES, get_catalogue
from sscard.policy.choices import ApplicantRole, PhotoRule
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

CATALOGUE = get_catalogue()
CELLS = list(itertools.product(sorted(CATALOGUE.businesses), INDIVIDUAL_CHANNELS, INDIVIDUAL_ROLES))
REFUSAL_CODES = {"BUSINESS_NOT_ON_CHANNEL", "ROLE_NOT_ALLOWED"}
SYSTEM = Actor.system("walk-setup")

PATHS = {
    "apply": "/applications", "activate": "/cards/activate", "reissue": "/cards/reissue",
    "replace": "/cards/replace", "renew": "/cards/renew", "info_change": "/cards/info-change",
    "pin_change": "/cards/pin/change", "pin_reset": "/cards/pin/reset", "loss_report": "/cards/loss/report",
    "loss_withdraw": "/cards/loss/withdraw", "unlock": "/cards/unlock", "status_query": "/cards/status-query",
    "cancel": "/cards/cancel", "rollback": "/cards/rollback",
}
# The state each business finds the card in, reached through real transitions so restores have a log.
CARD_SETUP = {
    "activate": ("made", []),
    "loss_withdraw": ("active", ["report_loss"]),
    "unlock": ("active", ["lock"]),
    "rollback": ("active", ["cancel"]),
}


def _pick(docs) -> str:
    for preferred in ("id_card", "hukou", "ss_card"):
        if preferred in docs:
            return preferred
    return docs[0]


def _doc(doc_type: str, person, card) -> dict:
    if doc_type == "ss_card":
        return {"doc_type": "ss_card", "number": card.card_no}
    return {"doc_type": doc_type, "number": person.id_number}


class World:
    """The parties of one cell: applicant (adult or minor), agent, card, and the caller."""

    def __init__(self, business, channel, role):
        self.business, self.channel, self.role = business, channel, role
        self.outlet = f.make_outlet()
        minor = role == ApplicantRole.PROXY_MINOR
        self.applicant = f.make_person(birth_date=f.minor_birth() if minor else f.adult_birth(), name="申办人")
        self.agent = f.make_person(name="代办人") if role != ApplicantRole.SELF else None
        self.card = None
        if business != "apply":
            state, events = CARD_SETUP.get(business, ("active", []))
            self.card = f.make_card(self.applicant, state=state)
            if state == "made":
                Card.objects.filter(pk=self.card.pk).update(activated_at=None)
            from django.db import transaction

            for event in events:
                with transaction.atomic():
                    card_apply_event(card=self.card, event=event, actor=SYSTEM)
        self.api = self._caller()

    def _caller(self):
        if self.channel == "window":
            return f.ApiClient(f.token_for(staff=f.make_staff("clerk", self.outlet)))
        if self.channel == "kiosk":
            self.kiosk = f.make_kiosk(self.outlet)
            return f.ApiClient(f.token_for(kiosk=self.kiosk))
        if self.channel == "app":
            holder = self.agent if self.agent is not None else self.applicant
            return f.ApiClient(f.token_for(citizen=f.make_citizen(holder)))
        return f.ApiClient(f.token_for(staff=f.make_staff("hotline", self.outlet)))

    def station(self) -> str:
        return f"outlet:{self.outlet.code}" if self.channel == "window" else f"kiosk:{self.kiosk.code}"

    def body(self, cell) -> dict:
        applicant_doc = _pick(cell.applicant_docs) if cell and cell.applicant_docs else "id_card"
        agent_doc = _pick(cell.agent_docs) if cell and cell.agent_docs else "id_card"
        body: dict = {}
        if self.business == "apply":
            body["applicant"] = {"doc_type": applicant_doc, "number": self.applicant.id_number, "name": "申办人",
                                 "birth_date": self.applicant.birth_date.isoformat(), "gender": "M",
                                 "phone": "13800138000", "address": "重庆市渝中区1号"}
            if self.agent is not None:
                body["agent"] = {"doc_type": agent_doc, "number": self.agent.id_number, "name": "代办人"}
            if cell is None or cell.photo in (PhotoRule.REQUIRED, PhotoRule.OPTIONAL):
                body["photo"] = f.b64_photo()
            if self.channel == "app":
                body["delivery"] = {"method": "post", "address": "重庆市渝中区1号"}
        else:
            body["applicant"] = _doc(applicant_doc, self.applicant, self.card)
            if self.agent is not None:
                body["agent"] = _doc(agent_doc, self.agent, None)
        if self.business in ("reissue", "replace", "renew"):
            body["reason"] = CATALOGUE.business(self.business).reasons[0]
        if self.business == "info_change":
            body["changes"] = {"phone": "13911112222"}
        if self.channel == "window":
            body["evidence"] = f.window_evidence()
        if self.channel == "app" and self.business == "apply":
            body["evidence"] = {"uploaded_documents": [f.b64_jpeg(), f.b64_jpeg()]}
        return body

    def prepare_pin(self):
        from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedPinPad

        if self.business not in ("pin_change", "pin_reset") or self.channel not in ("window", "kiosk"):
            return
        SimulatedCardTerminal.provision(self.card.card_no, pin="135790")
        SimulatedCardTerminal.insert(self.station(), self.card.card_no)
        pins = ("135790", "246813", "246813") if self.business == "pin_change" else ("246813", "246813")
        SimulatedPinPad.type(self.station(), *pins)

    def snapshot(self):
        return (ServiceRequest.objects.count(), AuditEvent.objects.count(),
                list(Card.objects.order_by("pk").values_list("card_no", "state")),
                self.applicant.__class__.objects.filter(pk=self.applicant.pk).values_list("phone_hash").get(),
                AccessLogEntry.objects.count())


# What an allowed business leaves behind: the request's status by channel, and the card's state.
REQUEST_STATUS = {
    ("apply", "window"): "completed", ("apply", "kiosk"): "awaiting_voucher", ("apply", "app"): "pending_review",
    ("reissue", "window"): "awaiting_fee", ("reissue", "kiosk"): "awaiting_voucher",
    ("replace", "window"): "awaiting_fee", ("replace", "kiosk"): "awaiting_voucher",
    ("renew", "window"): "completed", ("renew", "kiosk"): "awaiting_voucher",
}
CARD_STATE = {
    "activate": "active", "loss_report": "lost", "loss_withdraw": "active", "unlock": "active",
    "cancel": "cancelled", "rollback": "active", "status_query": "active", "info_change": "active",
    "pin_change": "active", "pin_reset": "active",
}


def _assert_outcome(world, business, channel):
    if (business, channel) in REQUEST_STATUS:
        req = ServiceRequest.objects.filter(business=business).latest("id")
        assert req.status == REQUEST_STATUS[(business, channel)]
        if business == "renew" and channel == "window":
            world.card.refresh_from_db()
            assert world.card.state == "replaced" and req.new_card.state == "active"
        return
    world.card.refresh_from_db()
    expected = "lost_temp" if (business, channel) == ("loss_report", "phone") else CARD_STATE[business]
    assert world.card.state == expected
    if business == "info_change":
        world.applicant.refresh_from_db()
        assert world.applicant.phone == "13911112222"
    if business in ("pin_change", "pin_reset"):
        from sscard.hardware.models import SimulatedChip
        from sscard.hardware.pin_hashing import check_pin

        assert check_pin(SimulatedChip.objects.get(card_no=world.card.card_no).pin_hash, "246813")


@pytest.mark.parametrize(("business", "channel", "role"), CELLS, ids=["-".join(c) for c in CELLS])
def test_cell(business, channel, role):
    cell = CATALOGUE.business(business).cell(channel, role)
    allowed = cell is not None and cell.allowed
    world = World(business, channel, role)
    world.prepare_pin()
    before = world.snapshot()
    resp = world.api.post(PATHS[business], world.body(cell if allowed else None))
    payload = resp.json()
    if allowed:
        assert resp.status_code in (200, 201), payload
        if business == "status_query":  # a read (规程: no processing, nothing kept): the access log only
            assert world.snapshot()[:2] == before[:2]
            assert AccessLogEntry.objects.get().person_id == world.applicant.pk
            return
        assert AuditEvent.objects.count() > before[1]
        req = ServiceRequest.objects.filter(business=business).latest("id")
        assert (req.channel, req.applicant_role) == (channel, role)
        assert req.catalogue_version == CATALOGUE.version
        _assert_outcome(world, business, channel)
    else:
        assert resp.status_code == 422, payload
        assert payload["code"] in REFUSAL_CODES, payload
        assert payload["rule"].startswith(CATALOGUE.business(business).rule)
        if cell is not None:
            assert payload["message"] == cell.reason
        assert world.snapshot() == before


def test_the_walk_covers_allowed_and_refused_cells():
    allowed = [c for c in CELLS if (x := CATALOGUE.business(c[0]).cell(c[1], c[2])) is not None and x.allowed]
    assert 40 < len(allowed) < len(CELLS)


def _material_cases():
    for business, channel, role in CELLS:
        cell = CATALOGUE.business(business).cell(channel, role)
        if cell is None or not cell.allowed or cell.evidence != "originals":
            continue
        wrong = [d for d in ("hukou", "id_card", "ss_card") if d not in cell.applicant_docs]
        if cell.applicant_docs and wrong and not (business == "apply" and wrong[0] == "ss_card"):
            yield business, channel, role, "applicant", wrong[0], "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
        wrong_agent = [d for d in ("hukou", "id_card", "ss_card") if d not in cell.agent_docs]
        if role != ApplicantRole.SELF and wrong_agent and wrong_agent[0] != "ss_card":
            yield business, channel, role, "agent", wrong_agent[0], "MATERIAL_AGENT_DOC_NOT_ACCEPTED"
        if cell.photo == PhotoRule.REQUIRED:
            yield business, channel, role, "photo", None, "MATERIAL_PHOTO_MISSING"


MATERIAL_CASES = list(_material_cases())


@pytest.mark.parametrize(("business", "channel", "role", "part", "doc", "code"), MATERIAL_CASES,
                         ids=["-".join(str(x) for x in c[:5]) for c in MATERIAL_CASES])
def test_missing_or_wrong_material_is_named_and_changes_nothing(business, channel, role, part, doc, code):
    cell = CATALOGUE.business(business).cell(channel, role)
    world = World(business, channel, role)
    world.prepare_pin()
    body = world.body(cell)
    if part == "photo":
        body.pop("photo")
    else:
        holder = world.applicant if part == "applicant" else world.agent
        body[part]["doc_type"] = doc
        body[part]["number"] = holder.id_number
    before = world.snapshot()
    resp = world.api.post(PATHS[business], body)
    assert resp.status_code == 422, resp.json()
    assert resp.json()["code"] == code
    assert world.snapshot() == before


def test_material_cases_cover_every_kind():
    assert {c[-1] for c in MATERIAL_CASES} == {"MATERIAL_APPLICANT_DOC_NOT_ACCEPTED",
                                               "MATERIAL_AGENT_DOC_NOT_ACCEPTED", "MATERIAL_PHOTO_MISSING"}
