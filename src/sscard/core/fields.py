"""Model field that keeps a text value encrypted at rest and gives it back in clear to Python code."""

from django.db import models

from sscard.core import clock, crypto


class EncryptedTextField(models.TextField):
    """Stored as ``v2:<key id>:<base64(nonce|ciphertext)>`` under the key ring's active key (older
    ``v1:`` values read under the ring's legacy key id, ``core.crypto``); read back as plain ``str``.
    ``rotate_keys`` moves every value to the active key.

    Equality lookups on this column cannot work (every write uses a new nonce): search by the sibling
    ``*_hash`` column filled from ``crypto.lookup_hash``.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


class UpdatedAtField(models.DateTimeField):
    """Like ``auto_now`` but read from the project's injectable clock, so tests with a frozen clock see
    the time they set (``auto_now`` calls ``timezone.now()`` directly)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = clock.now()
        setattr(model_instance, self.attname, value)
        return value
