"""Background work of batches, run by the task workers (``manage.py db_worker``, the default queue).

``validate_batch`` runs the structural checks of a submitted batch's files and cuts its rows into parts,
then queues one ``validate_batch_part`` per part: any worker takes a part, so a large batch is spread over
every worker running; the part that ends last closes the batch.  Both are safe to run again (a worker
killed mid-part: ``run_due_sweeps`` re-queues the batch, and only what is missing is done).
"""

from django_tasks import task

from sscard.batches.choices import BatchStatus
from sscard.batches.validation import batch_prepare, batch_validate_part, finish_if_complete, pending_parts


@task()
def validate_batch(batch_no: str) -> None:
    """Check the files of a submitted batch, then queue its parts (or close it when none is left)."""
    batch = batch_prepare(batch_no=batch_no)
    if batch.status != BatchStatus.VALIDATING:
        return
    parts = pending_parts(batch)
    if not parts:
        finish_if_complete(batch_no=batch_no)
    for part_no in parts:
        validate_batch_part.enqueue(batch_no, part_no)


@task()
def validate_batch_part(batch_no: str, part_no: int) -> None:
    """Validate one part of a batch's rows (resumable: a re-run stores only the rows still missing)."""
    batch_validate_part(batch_no=batch_no, part_no=part_no)
