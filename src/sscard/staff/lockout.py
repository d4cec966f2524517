"""Failed sign-ins counted per account and per address, with django-axes (its database handler).

Every sign-in path goes through here: staff through Django's ``authenticate`` (the Axes backend comes first
in ``AUTHENTICATION_BACKENDS``, so the admin's sign-in is covered too), the citizen app with an account key
of its own (``citizen_key``: the keyed hash of the ID number, never the number itself, in Axes' tables).

Axes compares one count with one limit; an address needs a higher limit than an account (an outlet's
clerks or a mobile carrier's customers share one address), so ``SignInAttemptHandler.get_failures``
reports the worse of the two counts on the account's scale: an address at its own limit counts as an
account at ``AXES_FAILURE_LIMIT``.  A success resets the account's own count only (``reset_account``), so
signing into one's own account does not wipe an address's count of failures against others.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum

from sscard.core import crypto

CITIZEN_PREFIX = "citizen:"


def citizen_key(id_number: str) -> str:
    """The app account's key in Axes' tables: the ID number's keyed hash (no personal data in clear)."""
    return CITIZEN_PREFIX + crypto.lookup_hash(id_number, purpose="id")


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler with separate limits for an account and for an address
    (``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``: one query for each, in that order)."""

    def failure_counts(self, request, credentials=None) -> tuple[int, int]:
        """(failures of the account, failures from the address) within the cool-off."""
        by_account, by_address = (query.aggregate(n=Sum("failures_since_start"))["n"] or 0
                                  for query in self.get_user_attempts(request, credentials))
        return (by_account if get_client_username(request, credentials) else 0), by_address

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = self.failure_counts(request, credentials)
        account_limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.SSCARD_SIGNIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // address_limit)


def handler() -> SignInAttemptHandler:
    return AxesProxyHandler.get_implementation()


def is_locked(request, username: str) -> bool:
    """Whether the account or the caller's address is locked now."""
    return AxesProxyHandler.is_locked(request, {"username": username})


def record_failure(request, username: str) -> bool:
    """Count a failed sign-in that did not go through ``authenticate`` (the app); True if now locked."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def locked_by(request, username: str) -> str:
    """Which limit holds the caller: ``account`` or ``address`` (for the audit record)."""
    AxesProxyHandler.update_request(request)
    by_account, _ = handler().failure_counts(request, {"username": username})
    return "account" if by_account >= settings.AXES_FAILURE_LIMIT else "address"


def reset_account(username: str) -> None:
    """A successful sign-in clears the account's own count (not the address's)."""
    AxesProxyHandler.reset_attempts(username=username)


def cool_off_minutes() -> int:
    return int(get_cool_off().total_seconds() // 60)
