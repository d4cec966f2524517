"""System checks of encryption at rest (``manage.py check``, run at every start): the key ring reads, and
the default storage is the encrypting one (a storage configured around it would store files in clear)."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

from sscard.core import crypto
from sscard.core.storage import EncryptedStorage


@checks.register(checks.Tags.security)
def encryption_at_rest(app_configs=None, **kwargs):
    problems = []
    try:
        crypto.keyring()
    except ImproperlyConfigured as exc:
        problems.append(checks.Error(
            f"field key ring: {exc}", id="sscard.E101",
            hint="SSCARD_FIELD_KEY, or SSCARD_FIELD_KEYS with SSCARD_FIELD_ACTIVE_KEY"))
    if not isinstance(storages["default"], EncryptedStorage):
        problems.append(checks.Error("the default storage does not encrypt files at rest", id="sscard.E102",
                                     hint="STORAGES['default'] must be sscard.core.storage.EncryptedStorage "
                                          "wrapping the backend"))
    return problems
