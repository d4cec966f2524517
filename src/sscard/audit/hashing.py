"""The content hash of one audit event, and the Merkle tree hashing of RFC 9162 over those hashes.

An event's ``hash`` is the SHA-256 of a canonical JSON of its content, computed by its writer with no
reference to any other event (so writers never wait for each other).  The sequencer makes each event a
leaf of one append-only Merkle tree: leaf hash ``SHA-256(0x00 || event hash)``, node hash
``SHA-256(0x01 || left || right)``, the tree shape of RFC 9162 §2.1 (the same as pymerkle's, which the
inclusion proofs use).
"""

import datetime as dt
import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

HASHED_FIELDS = (
    "event_type", "at", "actor_kind", "actor_id", "actor_name", "actor_role", "channel", "outlet_id",
    "subject_type", "subject_id", "person_id", "before", "after", "data", "request_id", "nonce",
)
EMPTY_ROOT = hashlib.sha256(b"").digest()


def canonical(event) -> str:
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "at":
            # The database gives times back in UTC: hash the UTC form so the event verifies.
            value = value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))


def event_hash(event) -> str:
    """Hex SHA-256 of the event's canonical content."""
    return hashlib.sha256(canonical(event).encode("utf-8")).hexdigest()


def leaf_hash(event_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class RootStream:
    """Roots of the growing tree, leaf by leaf, in O(log n) memory (the compact range of its right edge).

    ``push(leaf)`` appends a leaf hash; ``root()`` is the RFC 9162 root of the leaves pushed so far.  The
    verifier streams millions of leaves through it without holding them.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[bytes] = []  # roots of the maximal perfect subtrees, largest first

    def push(self, leaf: bytes) -> None:
        self._stack.append(leaf)
        self.size += 1
        n = self.size
        while n % 2 == 0:  # each trailing zero bit of the size closes one more perfect subtree
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            n //= 2

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result
