"""Background work of batches, run by the task worker (``manage.py db_worker``)."""

from django_tasks import task

from sscard.batches.validation import batch_validate


@task()
def validate_batch(batch_no: str) -> None:
    """Validate a submitted batch row by row (resumable: a re-run continues where a killed one stopped)."""
    batch_validate(batch_no=batch_no)
