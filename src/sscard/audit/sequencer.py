"""The sequencer: committed audit events become leaves of the tree, and each new tree head is signed.

Run every few seconds (``manage.py audit_sequence --loop``; the demo and the sweeps run it too).  Writers
never wait for it: it reads only committed ``AuditPending`` rows and locks only its own row.  Between an
event's commit and its integration (the merge delay, as in RFC 9162) the event is protected by its own
hash only; keep the interval short.
"""

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from sscard.audit.hashing import leaf_hash
from sscard.audit.models import AuditEvent, AuditLeaf, AuditPending, AuditSequencerLock, AuditTreeHead
from sscard.audit.signing import key_id, sign_tree_head
from sscard.audit.tree import AuditTree

log = logging.getLogger(__name__)
CHUNK = 20_000


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: bytes
    timestamp_ms: int
    key_id: str = ""
    signature: bytes = b""


def audit_integrate(*, chunk: int = CHUNK, max_chunks: int | None = None) -> TreeHead | None:
    """Integrate the pending events, ``chunk`` at a time (one transaction and one signed head each).
    Returns the last head signed, or None when nothing was pending."""
    head = None
    done = 0
    while max_chunks is None or done < max_chunks:
        step = _integrate_chunk(chunk)
        if step is None:
            break
        head = step
        done += 1
    return head


def _integrate_chunk(chunk: int) -> TreeHead | None:
    with transaction.atomic():
        AuditSequencerLock.objects.get_or_create(id=1)
        AuditSequencerLock.objects.select_for_update().get(id=1)
        pending = list(AuditPending.objects.order_by("event_id").values_list("event_id", flat=True)[:chunk])
        if not pending:
            return None
        hashes = dict(AuditEvent.objects.filter(seq__in=pending).values_list("seq", "hash"))
        tree = AuditTree()
        size = tree.get_size()
        AuditLeaf.objects.bulk_create(
            [AuditLeaf(index=size + i, event_id=seq, digest=leaf_hash(hashes[seq])) for i, seq in enumerate(pending)],
            batch_size=5000)
        AuditPending.objects.filter(event_id__in=pending).delete()
        size += len(pending)
        root = tree.get_root(size)
        tree.save_new_nodes()
        stamp = int(time.time() * 1000)
        signature = sign_tree_head(size, root, stamp)
        AuditTreeHead.objects.create(size=size, root=root, timestamp_ms=stamp, key_id=key_id(),
                                     signature=signature)
        head = TreeHead(size, root, stamp, key_id(), signature)
    _publish(head)
    return head


def _publish(head: TreeHead) -> None:
    """Append the signed head (with its signature, so the file is checkable on its own) to the heads file
    outside the database (a witness's copy), if configured."""
    path = settings.AUDIT_HEADS_FILE
    if not path:
        return
    line = json.dumps({"size": head.size, "root": head.root.hex(), "timestamp_ms": head.timestamp_ms,
                       "key_id": head.key_id, "signature": head.signature.hex()})
    with open(path, "a", encoding="ascii") as fh:
        fh.write(line + "\n")
