"""The verifier trusts only the public key (and the witness's heads): an edit, an edit with every hash
recomputed, a deleted or inserted event, a cut tail, a re-signed head all fail; an inclusion proof holds
for an untouched event and fails for an edited one.

The tampering is done as someone with full database access would: on PostgreSQL past the append-only
triggers (``audit_guard_lifted``, a superuser's setting), which test_append_only shows refuse it otherwise."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from sscard.audit.hashing import RootStream, event_hash, leaf_hash
from sscard.audit.models import AuditEvent, AuditLeaf, AuditPending, AuditTreeHead
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record
from sscard.audit.signing import sign_tree_head
from sscard.audit.verify import audit_check_inclusion, audit_inclusion_proof, audit_verify
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_guard_lifted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tamper_as_a_superuser(db):
    with audit_guard_lifted():
        yield

ACTOR = Actor.system("test")


def write(n: int, start: int = 0):
    for i in range(start, start + n):
        with transaction.atomic():
            audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=i,
                         before={"state": "a"}, after={"state": "b"})


def events():
    return list(AuditEvent.objects.order_by("seq"))


def sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_log_verifies_with_pending_events_counted(capsys):
    write(4)
    audit_integrate()
    write(2, start=4)
    ok, seq, reason = audit_verify()
    assert (ok, seq) == (True, None)
    assert reason == "4 条记录校验通过（1 个签名树头），另有 2 条待入树"
    call_command("verify_audit_log")
    assert "审计日志完整" in capsys.readouterr().out


def test_an_edited_event_is_named():
    write(4)
    audit_integrate()
    second = events()[1]
    AuditEvent.objects.filter(seq=second.seq).update(after={"state": "forged"})
    ok, seq, reason = audit_verify()
    assert (ok, seq) == (False, second.seq) and "篡改" in reason
    with pytest.raises(CommandError, match=f"seq={second.seq}"):
        call_command("verify_audit_log")


def test_an_edited_pending_event_is_named():
    write(2)
    first = events()[0]
    AuditEvent.objects.filter(seq=first.seq).update(after={"state": "forged"})
    assert audit_verify()[:2] == (False, first.seq)


def test_an_edit_with_every_hash_recomputed_breaks_the_signed_root():
    write(4)
    audit_integrate()
    second = events()[1]
    AuditEvent.objects.filter(seq=second.seq).update(after={"state": "forged"})
    forged = AuditEvent.objects.get(seq=second.seq)
    new_hash = event_hash(forged)
    AuditEvent.objects.filter(seq=second.seq).update(hash=new_hash)
    AuditLeaf.objects.filter(event_id=second.seq).update(digest=leaf_hash(new_hash))
    ok, _, reason = audit_verify()
    assert not ok and "签名树头不符" in reason


def test_a_head_re_signed_with_another_key_is_refused():
    write(3)
    audit_integrate()
    head = AuditTreeHead.objects.get()
    other = Ed25519PrivateKey.generate()
    AuditTreeHead.objects.filter(size=head.size).update(
        signature=other.sign(b"sscard-audit-tree-head-v1\n3\n" + bytes(head.root).hex().encode() + b"\n1\n"))
    ok, _, reason = audit_verify()
    assert not ok and "签名无效" in reason


def test_the_whole_tree_recomputed_and_re_signed_with_the_wrong_key_fails_on_the_right_one(settings):
    write(3)
    audit_integrate()
    AuditEvent.objects.filter(seq=events()[0].seq).update(after={"state": "forged"})
    genuine_public = base64.b64decode(_public(settings.AUDIT_SIGNING_KEY))
    attacker = Ed25519PrivateKey.generate()
    settings.AUDIT_SIGNING_KEY = base64.b64encode(attacker.private_bytes_raw()).decode()
    _rebuild_everything()
    assert audit_verify()[0]  # with the attacker's own key the forgery is consistent ...
    ok, _, reason = audit_verify(public_key=genuine_public)  # ... but not under the genuine public key
    assert not ok and "签名无效" in reason


def _public(seed_b64):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def _rebuild_everything():
    stream = RootStream()
    AuditTreeHead.objects.all().delete()
    for leaf in AuditLeaf.objects.order_by("index").select_related("event"):
        h = event_hash(leaf.event)
        AuditEvent.objects.filter(seq=leaf.event_id).update(hash=h)
        AuditLeaf.objects.filter(index=leaf.index).update(digest=leaf_hash(h))
        stream.push(leaf_hash(h))
    AuditTreeHead.objects.create(size=stream.size, root=stream.root(), timestamp_ms=1, key_id="x",
                                 signature=sign_tree_head(stream.size, stream.root(), 1))


def test_a_deleted_event_breaks_the_leaf_sequence():
    write(4)
    audit_integrate()
    second = events()[1]
    AuditLeaf.objects.filter(event_id=second.seq).delete()
    sql("DELETE FROM audit_auditevent WHERE seq = %s", second.seq)
    ok, seq, reason = audit_verify()
    assert not ok and seq == events()[1].seq and "不连续" in reason


def test_a_cut_tail_is_found_against_the_last_head():
    write(3)
    audit_integrate()
    last = events()[-1]
    AuditLeaf.objects.filter(event_id=last.seq).delete()
    sql("DELETE FROM audit_auditevent WHERE seq = %s", last.seq)
    ok, _, reason = audit_verify()
    assert not ok and "树叶被删除" in reason


def test_a_cut_tail_with_its_heads_deleted_is_found_against_the_witness_copy(settings, tmp_path):
    settings.AUDIT_HEADS_FILE = str(tmp_path / "heads.jsonl")
    write(2)
    audit_integrate()
    write(1, start=2)
    audit_integrate()
    last = events()[-1]
    AuditTreeHead.objects.filter(size=3).delete()
    AuditLeaf.objects.filter(event_id=last.seq).delete()
    sql("DELETE FROM audit_auditevent WHERE seq = %s", last.seq)
    assert audit_verify()[0]  # the database alone is consistent again ...
    ok, _, reason = audit_verify(heads_file=settings.AUDIT_HEADS_FILE)  # ... the witness is not
    assert not ok and "树叶被删除" in reason
    with pytest.raises(CommandError):
        call_command("verify_audit_log", "--heads", settings.AUDIT_HEADS_FILE)


def test_an_inserted_event_outside_tree_and_queue_is_found():
    write(2)
    audit_integrate()
    stray = events()[-1]
    with transaction.atomic():
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id="x")
    inserted = events()[-1]
    AuditPending.objects.filter(event_id=inserted.seq).delete()
    ok, seq, reason = audit_verify()
    assert (ok, seq) == (False, inserted.seq) and seq != stray.seq and "插入" in reason


def test_an_inclusion_proof_holds_for_an_untouched_event_and_fails_for_an_edited_one():
    write(7)
    audit_integrate(chunk=3)
    target = events()[4]
    proof = audit_inclusion_proof(target.seq)
    assert proof["tree_size"] == 7 and proof["leaf_index"] == 4
    proof = json.loads(json.dumps(proof))  # what an auditor receives
    ok, reason = audit_check_inclusion(AuditEvent.objects.get(seq=target.seq), proof)
    assert ok, reason
    AuditEvent.objects.filter(seq=target.seq).update(data={"forged": True})
    ok, reason = audit_check_inclusion(AuditEvent.objects.get(seq=target.seq), proof)
    assert not ok and "篡改" in reason
    other = events()[5]
    assert not audit_check_inclusion(other, proof)[0]


def test_a_pending_event_has_no_proof_yet():
    write(1)
    with pytest.raises(AuditLeaf.DoesNotExist):
        audit_inclusion_proof(events()[0].seq)


def test_the_prove_command_prints_a_proof_that_checks_and_refuses_a_forgery(tmp_path, capsys):
    write(3)
    audit_integrate()
    target = events()[1]
    call_command("audit_prove", str(target.seq))
    proof_file = tmp_path / "proof.json"
    proof_file.write_text(capsys.readouterr().out, encoding="utf-8")
    call_command("audit_prove", str(target.seq), "--check", str(proof_file))
    assert "包含证明成立" in capsys.readouterr().out
    AuditEvent.objects.filter(seq=target.seq).update(data={"forged": True})
    with pytest.raises(CommandError, match="篡改"):
        call_command("audit_prove", str(target.seq), "--check", str(proof_file))
    with pytest.raises(CommandError, match="不是"):
        call_command("audit_prove", str(events()[0].seq), "--check", str(proof_file))


def test_the_prove_command_says_when_an_event_is_still_pending():
    write(1)
    with pytest.raises(CommandError, match="尚未并入"):
        call_command("audit_prove", str(events()[0].seq))
