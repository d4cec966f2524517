"""Someone with full database access but without the signing key rewrites an event and recomputes
everything the database holds (event hashes, leaves, stored subtree nodes, and the heads: deleted, or
replaced by heads signed with a key of their own).  The verifier, given the genuine public key and the
witness's heads file, finds it every time; the database alone is not enough once the heads are gone."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction

from sscard.audit.hashing import event_hash, leaf_hash
from sscard.audit.models import AuditEvent, AuditLeaf, AuditTreeHead, AuditTreeNode
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record_many
from sscard.audit.signing import key_id, public_key_bytes, sign_tree_head
from sscard.audit.tree import AuditTree
from sscard.audit.verify import audit_verify
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_guard_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(settings, tmp_path):
    """300 events in two signed heads (stored subtree nodes included), published to the heads file."""
    settings.AUDIT_HEADS_FILE = str(tmp_path / "heads.jsonl")
    for start, n in ((0, 260), (260, 40)):
        with transaction.atomic():
            audit_record_many(event_type="DEMO_DATA_LOADED", actor=Actor.system("test"),
                              rows=[{"subject_type": "thing", "subject_id": i, "after": {"n": i}}
                                    for i in range(start, start + n)])
        audit_integrate()
    assert AuditTreeNode.objects.exists() and AuditTreeHead.objects.count() == 2
    return settings.AUDIT_HEADS_FILE


def recompute_everything(forged_seq, *, sign_with=None):
    """The attacker's rewrite: one event changed, then every hash, leaf, node and head made consistent."""
    with audit_guard_lifted():
        AuditEvent.objects.filter(seq=forged_seq).update(after={"n": "forged"})
        for event in AuditEvent.objects.order_by("seq"):
            AuditEvent.objects.filter(seq=event.seq).update(hash=event_hash(event))
        for leaf in AuditLeaf.objects.select_related("event"):
            AuditLeaf.objects.filter(index=leaf.index).update(digest=leaf_hash(leaf.event.hash))
        AuditTreeNode.objects.all().delete()
        heads = list(AuditTreeHead.objects.order_by("size"))
        AuditTreeHead.objects.all().delete()
        tree = AuditTree()
        for head in heads:
            root = tree.get_root(head.size)
            if sign_with is not None:
                public = sign_with.public_key().public_bytes_raw()
                AuditTreeHead.objects.create(size=head.size, root=root, timestamp_ms=head.timestamp_ms,
                                             key_id=key_id(public), signature=sign_with.sign(
                                                 _message(head.size, root, head.timestamp_ms)))
        tree.save_new_nodes()


def _message(size, root, stamp):
    return f"sscard-audit-tree-head-v1\n{size}\n{root.hex()}\n{stamp}\n".encode("ascii")


def test_the_untouched_log_verifies_against_the_heads_file(log):
    ok, _, reason = audit_verify(public_key=public_key_bytes(), heads_file=log)
    assert ok, reason


def test_a_recomputed_log_with_heads_of_another_key_fails_under_the_genuine_public_key(log):
    genuine = public_key_bytes()
    recompute_everything(AuditEvent.objects.order_by("seq")[10].seq, sign_with=Ed25519PrivateKey.generate())
    ok, _, reason = audit_verify(public_key=genuine)
    assert not ok and "签名无效" in reason
    ok, _, reason = audit_verify(public_key=genuine, heads_file=log)
    assert not ok and "签名无效" in reason


def test_a_recomputed_log_with_its_heads_deleted_fails_alone_and_against_the_heads_file(log):
    recompute_everything(AuditEvent.objects.order_by("seq")[10].seq)
    ok, _, reason = audit_verify(public_key=public_key_bytes())
    assert not ok and "没有一个签名树头" in reason
    ok, _, reason = audit_verify(public_key=public_key_bytes(), heads_file=log)
    assert not ok and "见证副本" in reason


def test_a_recomputed_log_under_a_swapped_key_in_the_settings_fails_against_the_heads_file(log, settings):
    """The attacker also controls the configuration the verifier reads: only the heads file (and a public
    key kept apart) tells."""
    attacker = Ed25519PrivateKey.generate()
    recompute_everything(AuditEvent.objects.order_by("seq")[10].seq, sign_with=attacker)
    settings.AUDIT_SIGNING_KEY = base64.b64encode(attacker.private_bytes_raw()).decode()
    settings.AUDIT_VERIFY_KEY = ""
    assert audit_verify()[0]  # consistent under the attacker's own key ...
    ok, _, reason = audit_verify(heads_file=log)  # ... the heads file was signed with the genuine one
    assert not ok and "见证副本" in reason and "签名无效" in reason


def test_a_forged_line_in_the_heads_file_is_refused(log):
    with open(log, "a", encoding="ascii") as fh:
        fh.write('{"size": 300, "root": "%s", "timestamp_ms": 1, "signature": "%s"}\n'
                 % ("00" * 32, sign_tree_head(299, b"\0" * 32, 1).hex()))
    ok, _, reason = audit_verify(heads_file=log)
    assert not ok and "见证副本" in reason
