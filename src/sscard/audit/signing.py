"""Signing the audit tree heads with a key the database does not hold (Ed25519).

The sequencer signs each tree head (size, root, time) with ``SSCARD_AUDIT_SIGNING_KEY`` (the base64 of a
32-byte Ed25519 seed; development default below).  Whoever verifies needs only the public key
(``SSCARD_AUDIT_VERIFY_KEY``, base64 of the 32 raw bytes; derived from the signing key when unset), so an
auditor can check the log without being able to sign.  Someone who can rewrite every row of the database
still cannot produce a signed head for a rewritten tree.
"""

import base64
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def _private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.AUDIT_SIGNING_KEY))


def public_key_bytes() -> bytes:
    configured = getattr(settings, "AUDIT_VERIFY_KEY", "")
    if configured:
        return base64.b64decode(configured)
    return _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes | None = None) -> str:
    """First 16 hex digits of the SHA-256 of the public key: names the key a head was signed with."""
    return hashlib.sha256(public or public_key_bytes()).hexdigest()[:16]


def tree_head_message(size: int, root: bytes, timestamp_ms: int) -> bytes:
    return f"sscard-audit-tree-head-v1\n{size}\n{root.hex()}\n{timestamp_ms}\n".encode("ascii")


def sign_tree_head(size: int, root: bytes, timestamp_ms: int) -> bytes:
    return _private_key().sign(tree_head_message(size, root, timestamp_ms))


def tree_head_signature_ok(size: int, root: bytes, timestamp_ms: int, signature: bytes,
                           public: bytes | None = None) -> bool:
    key = Ed25519PublicKey.from_public_bytes(public or public_key_bytes())
    try:
        key.verify(bytes(signature), tree_head_message(size, root, timestamp_ms))
    except InvalidSignature:
        return False
    return True
