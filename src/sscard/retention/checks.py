"""A wrong retention setting stops the service at start (``manage.py check`` and every command), not
the first purge: an unknown kind, a negative number, or an access-log schedule below the audit minimum."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from sscard.retention.schedules import current


@checks.register("sscard")
def retention_settings(app_configs=None, **kwargs):
    try:
        current()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="sscard.retention.E001",
                             hint="See docs/OPERATIONS.md, Retention: SSCARD_RETENTION_<KIND>_DAYS.")]
    return []
