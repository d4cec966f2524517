"""One cycle of the production exchange, as the scheduler runs it (``manage.py run_production_exchange``).

1. orders for validated batches' rows ready for production; 2. bank files out for new orders;
3. (simulated partners, when enabled) answers written to the inbox; 4. result files in the inbox
imported and moved to ``inbox/done`` (an unreadable or refused file stays and is reported);
5. vendor files out for orders whose bank results are in; 6./7. partners and import again; 8. orders
whose cards are made are shipped to their outlet.  Each step is its own transaction, so a cycle killed
anywhere resumes on the next run without duplicates: orders skip rows already ordered, files are
rewritten identically, results already imported are no-ops.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings

from sscard.audit.services import audit_deferred
from sscard.batches.choices import BatchStatus
from sscard.batches.models import Batch
from sscard.core.errors import DomainError
from sscard.production import exchange_files as xf
from sscard.production import folders
from sscard.production.choices import OrderStage
from sscard.production.models import ProductionOrder
from sscard.production.services import order_import_result, order_send, order_ship, orders_generate
from sscard.production.simulated_partners import (
    SimulatedBank,
    SimulatedCardVendor,
    partner_config_from_settings,
)
from sscard.staff.permissions import require

logger = logging.getLogger(__name__)


@dataclass
class CycleReport:
    orders_generated: int = 0
    files_sent: list[str] = field(default_factory=list)
    results_imported: list[str] = field(default_factory=list)
    results_refused: list[tuple[str, str]] = field(default_factory=list)
    orders_shipped: int = 0


def simulation_enabled() -> bool:
    return bool(getattr(settings, "SSCARD_SIMULATED_PARTNERS_ENABLED", False))


def answer_as_partners() -> list[str]:
    """The simulated bank and card vendor answer every out-file that has no result yet."""
    bank = SimulatedBank(partner_config_from_settings("bank"))
    vendor = SimulatedCardVendor(partner_config_from_settings("vendor"))
    written = []
    done = folders.inbox() / "done"
    for path, kind in folders.out_files():
        order_no = xf.parse_exchange_filename(path.name)[1]
        result_name = xf.exchange_filename(xf.RESULT_KIND_FOR[kind], order_no)
        if (folders.inbox() / result_name).exists() or (done / result_name).exists():
            continue
        partner = bank if kind == xf.BANK_OUT else vendor
        folders.write_in(result_name, partner.process(folders.unseal(path.read_bytes())))
        written.append(result_name)
    return written


def import_inbox(*, actor, report: CycleReport) -> None:
    refused = {name for name, _ in report.results_refused}
    for path, kind in folders.result_files():
        if path.name in refused:
            continue
        try:
            outcome = order_import_result(actor=actor, content=folders.unseal(path.read_bytes()), kind=kind)
        except (DomainError, ValueError) as exc:
            code = getattr(exc, "code", "EXCHANGE_FILE_UNREADABLE")
            logger.warning("result file %s not imported: %s", path.name, code)
            report.results_refused.append((path.name, code))
            continue
        folders.mark_done(path)
        if not outcome.already_imported:
            report.results_imported.append(path.name)


def _send_all(actor, stage: str, to: str, report: CycleReport) -> None:
    for order_no in ProductionOrder.objects.filter(stage=stage).order_by("id").values_list("order_no", flat=True):
        name = order_send(actor=actor, order_no=order_no, to=to)
        if name:
            report.files_sent.append(name)


def exchange_cycle(*, actor, simulate: bool | None = None) -> CycleReport:
    """Run by the scheduler, each step appends its audit events in its own transaction.  Run by the API
    with an Idempotency-Key, the whole cycle is the key's one transaction: its events then wait to the
    end, so the vendor results' chip personalisation (the card terminal) never runs after that
    transaction's audit writes."""
    require(actor, "production.exchange_run")
    with audit_deferred():
        return _cycle(actor=actor, simulate=simulate)


def _cycle(*, actor, simulate: bool | None) -> CycleReport:
    simulate = simulation_enabled() if simulate is None else simulate
    report = CycleReport()
    ready = (Batch.objects.filter(status=BatchStatus.VALIDATED, rows__status="accepted",
                                  rows__request__status="in_production", rows__request__production_mode="batch",
                                  rows__production_item__isnull=True).distinct().values_list("batch_no", flat=True))
    for batch_no in list(ready):
        report.orders_generated += len(orders_generate(actor=actor, batch_no=batch_no))
    _send_all(actor, OrderStage.GENERATED, "bank", report)
    for _ in range(2):  # bank round, then vendor round
        if simulate:
            answer_as_partners()
        import_inbox(actor=actor, report=report)
        _send_all(actor, OrderStage.BANK_DONE, "vendor", report)
    for order_no in ProductionOrder.objects.filter(stage=OrderStage.VENDOR_DONE).values_list("order_no", flat=True):
        order_ship(actor=actor, order_no=order_no)
        report.orders_shipped += 1
    return report
