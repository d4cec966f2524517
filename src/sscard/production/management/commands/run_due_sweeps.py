"""Run the due sweeps once: lapse expired temporary losses, re-queue batch validations whose worker died,
switch on batch cards 96 hours after pick-up, and list production requests past due.

Safe to run as often as wanted (cron, or beside the task worker): each sweep is idempotent, and the card
sweeps are set-based (``SSCARD_SWEEP_CHUNK`` cards a transaction, see ``cards.bulk``).  The overdue scan
only reads: one indexed query (``status, due_at``) streamed in chunks, never the whole list in memory.
It lives in ``production``, the highest app whose sweeps it runs (cards, batches, production).
"""

from django.core.management.base import BaseCommand

from sscard.batches.selectors import batches_stalled
from sscard.batches.tasks import validate_batch
from sscard.cards.sweeps import card_lapse_due_losses, sweep_chunk_size
from sscard.core import clock
from sscard.desk.selectors import production_requests_overdue
from sscard.production.pickup import batch_activation_sweep


class Command(BaseCommand):
    help = "执行到期任务：临时挂失到期自动解除；批量卡领取96小时后自动启用；列出超过制卡时限仍在制卡中的业务"

    def handle(self, *args, **options):
        now = clock.now()
        lapsed = card_lapse_due_losses(now=now)
        self.stdout.write(f"temporary losses lapsed: {lapsed}")

        stalled = list(batches_stalled(now).values_list("batch_no", flat=True))
        for batch_no in stalled:
            validate_batch.enqueue(batch_no)
        self.stdout.write(f"stalled batch validations re-queued: {len(stalled)}")

        self.stdout.write(f"batch cards activated (96 h after pick-up): {batch_activation_sweep(now=now)}")
        overdue = production_requests_overdue(now)
        self.stdout.write(f"production requests overdue: {overdue.count()}")
        rows = overdue.values_list("request_no", "business", "due_at").iterator(chunk_size=sweep_chunk_size())
        for request_no, business, due_at in rows:
            self.stdout.write(f"  {request_no} {business} due {due_at.isoformat()}")
