"""Personal-data protection: AES-256-GCM for values at rest, keyed HMAC-SHA256 for lookups.

The lookup hash lets us find a person by ID number or phone without decrypting every row.  Values are
normalised before hashing (upper case, stripped) so the same number always gives the same hash.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_PREFIX = "v1:"


@functools.cache
def _aead(key_b64: str) -> AESGCM:
    key = base64.b64decode(key_b64)
    if len(key) != 32:
        raise ValueError("SSCARD_FIELD_KEY must be 32 bytes, base64-encoded")
    return AESGCM(key)


def field_aead() -> AESGCM:
    """The AES-GCM cipher under the field key, for writers that seal their own framing (a file encrypted
    chunk by chunk, ``batches.storage``)."""
    return _aead(settings.FIELD_ENCRYPTION_KEY)


def encrypt(plain: str) -> str:
    nonce = os.urandom(12)
    ct = _aead(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain.encode("utf-8"), None)
    return _PREFIX + base64.b64encode(nonce + ct).decode("ascii")


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.b64decode(token[len(_PREFIX):])
    return _aead(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def lookup_hash(value: str, *, purpose: str = "id") -> str:
    """Keyed hash for equality search; ``purpose`` separates ID numbers from phones and the like."""
    key = settings.LOOKUP_HASH_KEY.encode("utf-8")
    msg = f"{purpose}:{normalise(value)}".encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


_BLOB_MAGIC = b"SSCB1"


def encrypt_bytes(plain: bytes) -> bytes:
    """Encrypt a whole file (e.g. an uploaded detail sheet) for storage: magic + nonce + AES-GCM."""
    nonce = os.urandom(12)
    return _BLOB_MAGIC + nonce + _aead(settings.FIELD_ENCRYPTION_KEY).encrypt(nonce, plain, _BLOB_MAGIC)


def decrypt_bytes(blob: bytes) -> bytes:
    if not blob.startswith(_BLOB_MAGIC):
        raise ValueError("not an encrypted file")
    raw = blob[len(_BLOB_MAGIC):]
    return _aead(settings.FIELD_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], _BLOB_MAGIC)
