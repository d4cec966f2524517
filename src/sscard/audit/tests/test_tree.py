"""The tree's hashing is RFC 9162's, the same as pymerkle's; roots from the stored subtrees agree with a
tree computed from the leaves alone."""

import hashlib

import pytest
from pymerkle import InmemoryTree

from sscard.audit.hashing import EMPTY_ROOT, RootStream, leaf_hash
from sscard.audit.models import AuditLeaf, AuditTreeNode
from sscard.audit.tree import STORED_WIDTH, AuditTree


def _hashes(n):
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def test_streamed_roots_equal_pymerkle_roots_at_every_size():
    reference = InmemoryTree(algorithm="sha256")
    stream = RootStream()
    assert stream.root() == EMPTY_ROOT == reference.get_root(0)
    for h in _hashes(70):
        reference.append_entry(bytes.fromhex(h))
        stream.push(leaf_hash(h))
        assert stream.root() == reference.get_root(), stream.size


def test_rfc9162_shape_for_three_leaves():
    a, b, c = (leaf_hash(h) for h in _hashes(3))
    node = lambda left, right: hashlib.sha256(b"\x01" + left + right).digest()  # noqa: E731
    stream = RootStream()
    for leaf in (a, b, c):
        stream.push(leaf)
    assert stream.root() == node(node(a, b), c)


@pytest.mark.django_db
def test_stored_subtrees_give_the_same_roots_and_proofs_as_the_leaves():
    from sscard.audit.models import AuditEvent

    n = STORED_WIDTH * 2 + 37
    events = AuditEvent.objects.bulk_create([AuditEvent(
        event_type="DEMO_DATA_LOADED", at="2026-01-01T00:00:00Z", actor_kind="system", actor_name="t",
        actor_role="", channel="system", subject_type="t", subject_id=str(i), hash=h)
        for i, h in enumerate(_hashes(n))])
    AuditLeaf.objects.bulk_create([AuditLeaf(index=i, event_id=e.seq, digest=leaf_hash(e.hash))
                                   for i, e in enumerate(events)])
    stream = RootStream()
    for e in events:
        stream.push(leaf_hash(e.hash))
    stored = AuditTree()
    assert stored.get_root(n) == stream.root()
    stored.save_new_nodes()
    assert set(AuditTreeNode.objects.values_list("offset", "width")) == {(0, 256), (256, 256), (0, 512)}
    fresh = AuditTree()  # reads the stored nodes
    plain = AuditTree(store_nodes=False)
    assert fresh.get_root(n) == plain.get_root(n) == stream.root()
    for index in (1, 200, 300, 512, n):
        assert fresh.prove_inclusion(index, n).serialize() == plain.prove_inclusion(index, n).serialize()
