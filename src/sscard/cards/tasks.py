"""Background sweeps for cards, run by the task worker (``django-tasks``) or ``run_due_sweeps``."""

from django_tasks import task

from sscard.cards.sweeps import card_lapse_due_losses


@task()
def lapse_temporary_losses() -> int:
    """Lapse every temporary (12333) loss past its expiry; idempotent; returns how many lapsed."""
    return card_lapse_due_losses()
