"""Personal-data protection: AES-256-GCM for values at rest, keyed HMAC-SHA256 for lookups.

Every ciphertext names the key it was sealed with (a key id), so keys can be rotated: the key ring
(``keyring()``) holds every key that still reads, one of them active (the one every new ciphertext uses).
It is configured by

- ``SSCARD_FIELD_KEYS`` = ``"kid:base64,kid2:base64"`` and ``SSCARD_FIELD_ACTIVE_KEY`` = the active key's id
  (settings ``FIELD_KEYS`` / ``FIELD_ACTIVE_KEY``), and/or
- ``SSCARD_FIELD_KEY`` = base64 (``FIELD_ENCRYPTION_KEY``): the single-key form, its id
  ``SSCARD_FIELD_KEY_ID`` (``FIELD_KEY_ID``, default ``k0``).  Values written before key ids existed
  (``v1:``, and files sealed as ``SSCB1`` / ``SSCS1``) were sealed with this key and are read as its id.

Formats: a field is ``v2:<kid>:<base64(nonce|ciphertext)>`` (the ``v2:<kid>`` prefix authenticated as
associated data); a whole small blob is ``SSCB2`` + the 16-byte padded key id + nonce + ciphertext; files
in storage are chunked (``sscard.core.storage``).  Key ids are 1-16 letters, digits, ``-`` or ``_``.

The lookup hash lets us find a person by ID number or phone without decrypting every row.  Values are
normalised before hashing (upper case, stripped) so the same number always gives the same hash.
"""

import base64
import binascii
import functools
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_KEY_ID = "k0"
KEY_ID_BYTES = 16
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
_PREFIX_V1 = "v1:"
_PREFIX_V2 = "v2:"
_BLOB_MAGIC_V1 = b"SSCB1"
_BLOB_MAGIC = b"SSCB2"


class DecryptionError(ValueError):
    """A ciphertext that does not open: tampered, cut off, sealed with a key the ring does not hold, or
    not a ciphertext at all.  The message names no content."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active: str
    legacy: str  # the id under which values sealed before key ids existed are read

    def key(self, kid: str) -> bytes:
        try:
            return self.keys[kid]
        except KeyError:
            raise DecryptionError(f"key id {kid!r} is not in the key ring (SSCARD_FIELD_KEYS)") from None


def _decode_key(kid: str, b64: str) -> bytes:
    if not _KEY_ID.match(kid):
        raise ImproperlyConfigured(f"field key id {kid!r}: 1-16 letters, digits, '-' or '_'")
    try:
        key = base64.b64decode(b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"field key {kid!r} is not base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"field key {kid!r} must be 32 bytes, base64-encoded")
    return key


@functools.cache
def _ring(single: str, single_id: str, many: str, active: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    if single:
        keys[single_id] = _decode_key(single_id, single)
    for entry in filter(None, (e.strip() for e in many.split(","))):
        kid, sep, b64 = entry.partition(":")
        if not sep:
            raise ImproperlyConfigured("SSCARD_FIELD_KEYS: entries are 'kid:base64', separated by commas")
        key = _decode_key(kid.strip(), b64)
        if keys.get(kid.strip(), key) != key:
            raise ImproperlyConfigured(f"field key id {kid.strip()!r} is given two different keys")
        keys[kid.strip()] = key
    if not keys:
        raise ImproperlyConfigured("no field key: set SSCARD_FIELD_KEY or SSCARD_FIELD_KEYS")
    if not active:
        if len(keys) > 1:
            raise ImproperlyConfigured("SSCARD_FIELD_ACTIVE_KEY must name the active key of the ring")
        active = next(iter(keys))
    if active not in keys:
        raise ImproperlyConfigured(f"SSCARD_FIELD_ACTIVE_KEY {active!r} is not in the key ring")
    return KeyRing(keys=keys, active=active, legacy=single_id)


def keyring() -> KeyRing:
    """The key ring from settings (cached per settings values, so tests can change them)."""
    return _ring(getattr(settings, "FIELD_ENCRYPTION_KEY", "") or "",
                 getattr(settings, "FIELD_KEY_ID", "") or DEFAULT_KEY_ID,
                 getattr(settings, "FIELD_KEYS", "") or "",
                 getattr(settings, "FIELD_ACTIVE_KEY", "") or "")


@functools.cache
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def aead(kid: str) -> AESGCM:
    """The AES-GCM cipher of key ``kid`` (DecryptionError if the ring does not hold it)."""
    return _aead(keyring().key(kid))


def key_bytes(kid: str) -> bytes:
    """The raw key ``kid``, for writers that derive their own keys from it (``core.storage``)."""
    return keyring().key(kid)


def padded_key_id(kid: str) -> bytes:
    return kid.encode("ascii").ljust(KEY_ID_BYTES, b"\0")


def unpadded_key_id(raw: bytes) -> str:
    kid = raw.rstrip(b"\0").decode("ascii", "replace")
    if not _KEY_ID.match(kid):
        raise DecryptionError("not a ciphertext of this service (bad key id)")
    return kid


# -- fields ------------------------------------------------------------------------------------------

def encrypt(plain: str) -> str:
    kid = keyring().active
    head = f"{_PREFIX_V2}{kid}:"
    nonce = os.urandom(12)
    ct = aead(kid).encrypt(nonce, plain.encode("utf-8"), head.encode("ascii"))
    return head + base64.b64encode(nonce + ct).decode("ascii")


def token_key_id(token: str) -> str:
    """The id of the key a field value was sealed with."""
    if token.startswith(_PREFIX_V1):
        return keyring().legacy
    if token.startswith(_PREFIX_V2):
        kid, sep, _ = token[len(_PREFIX_V2):].partition(":")
        if sep and _KEY_ID.match(kid):
            return kid
    raise DecryptionError("not an encrypted value")


def active_prefix() -> str:
    """What every field value sealed with the active key starts with (``rotate_keys`` skips those)."""
    return f"{_PREFIX_V2}{keyring().active}:"


def decrypt(token: str) -> str:
    kid = token_key_id(token)
    if token.startswith(_PREFIX_V1):
        body, aad = token[len(_PREFIX_V1):], None
    else:
        head_len = len(_PREFIX_V2) + len(kid) + 1
        body, aad = token[head_len:], token[:head_len].encode("ascii")
    try:
        raw = base64.b64decode(body, validate=True)
        return aead(kid).decrypt(raw[:12], raw[12:], aad).decode("utf-8")
    except (binascii.Error, ValueError, InvalidTag):
        raise DecryptionError("an encrypted value does not open (tampered or wrong key)") from None


def normalise(value: str) -> str:
    return "".join(value.split()).upper()


def lookup_hash(value: str, *, purpose: str = "id") -> str:
    """Keyed hash for equality search; ``purpose`` separates ID numbers from phones and the like."""
    key = settings.LOOKUP_HASH_KEY.encode("utf-8")
    msg = f"{purpose}:{normalise(value)}".encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


# -- small blobs (an exchange file) -------------------------------------------------------------------

def encrypt_bytes(plain: bytes) -> bytes:
    """Encrypt a whole small file for its time on disk: ``SSCB2`` + key id + nonce + AES-GCM."""
    kid = keyring().active
    head = _BLOB_MAGIC + padded_key_id(kid)
    nonce = os.urandom(12)
    return head + nonce + aead(kid).encrypt(nonce, plain, head)


def blob_key_id(blob: bytes) -> str | None:
    """The key id of an ``encrypt_bytes`` blob (either format), None if it is not one."""
    if blob.startswith(_BLOB_MAGIC_V1):
        return keyring().legacy
    if blob.startswith(_BLOB_MAGIC) and len(blob) >= len(_BLOB_MAGIC) + KEY_ID_BYTES:
        return unpadded_key_id(blob[len(_BLOB_MAGIC):len(_BLOB_MAGIC) + KEY_ID_BYTES])
    return None


def decrypt_bytes(blob: bytes) -> bytes:
    kid = blob_key_id(blob)
    if kid is None:
        raise DecryptionError("not an encrypted file")
    if blob.startswith(_BLOB_MAGIC_V1):
        head = _BLOB_MAGIC_V1
        raw = blob[len(head):]
    else:
        head = blob[:len(_BLOB_MAGIC) + KEY_ID_BYTES]
        raw = blob[len(head):]
    try:
        return aead(kid).decrypt(raw[:12], raw[12:], head)
    except (ValueError, InvalidTag):
        raise DecryptionError("an encrypted file does not open (tampered or wrong key)") from None
