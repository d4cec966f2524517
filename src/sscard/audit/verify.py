"""Checking the audit log: every event's hash, the tree, each signed head; one event's inclusion proof.

``audit_verify`` recomputes everything from the events themselves and trusts nothing stored but the
public key (and, when given, the witness's copy of the heads): an edited event breaks its own hash; an
edited event whose hash was recomputed breaks the root under a signed head, which nobody without the
signing key can re-sign; a deleted or inserted event breaks the leaf sequence or the count.
"""

import json
from typing import NamedTuple

from pymerkle import InclusionProof, InvalidProof, verify_inclusion

from sscard.audit.hashing import RootStream, event_hash, leaf_hash
from sscard.audit.models import AuditEvent, AuditLeaf, AuditTreeHead
from sscard.audit.signing import key_id, public_key_bytes, tree_head_signature_ok
from sscard.audit.tree import AuditTree


class Verdict(NamedTuple):
    ok: bool
    seq: int | None  # the first event found wrong, when one can be named
    reason: str


def read_heads_file(path: str, public: bytes | None = None) -> tuple[dict[int, bytes], str | None]:
    """The witness's heads by size, and the first problem of the file itself: a line whose signature (the
    sequencer writes it since the append-only guard, issue #11) does not verify under ``public``."""
    public = public or public_key_bytes()
    heads = {}
    with open(path, encoding="ascii") as fh:
        for line in fh:
            if line.strip():
                item = json.loads(line)
                size, root = int(item["size"]), bytes.fromhex(item["root"])
                if "signature" in item and not tree_head_signature_ok(
                        size, root, int(item["timestamp_ms"]), bytes.fromhex(item["signature"]), public):
                    return heads, f"见证副本中叶数 {size} 的树头签名无效（副本被改写，或不是本公钥 {key_id(public)} 所签）"
                heads[size] = root
    return heads, None


def audit_verify(*, public_key: bytes | None = None, heads_file: str | None = None,
                 heads_until: int | None = None, chunk_size: int = 5000) -> Verdict:
    """Walk the tree in leaf order, then the pending events.  Returns the first problem found.
    ``heads_until``: compare only the witness's heads up to that size (a restored backup: the later heads
    were signed after it was taken)."""
    public = public_key or public_key_bytes()
    heads = list(AuditTreeHead.objects.order_by("size").values_list("size", "root", "timestamp_ms", "signature"))
    witness, problem = read_heads_file(heads_file, public) if heads_file else ({}, None)
    if problem:
        return Verdict(False, None, problem)
    if heads_until is not None:
        witness = {size: root for size, root in witness.items() if size <= heads_until}
    for size, root, stamp, signature in heads:
        if not tree_head_signature_ok(size, bytes(root), stamp, bytes(signature), public):
            return Verdict(False, None, f"叶数 {size} 的树头签名无效（树头被改写，或不是本公钥 {key_id(public)} 所签）")
    signed = {size: bytes(root) for size, root, _, _ in heads}
    checkpoints = sorted(set(signed) | set(witness))
    stream = RootStream()
    next_check = 0
    leaves = AuditLeaf.objects.order_by("index").select_related("event")
    for leaf in leaves.iterator(chunk_size=chunk_size):
        event = leaf.event
        if leaf.index != stream.size:
            return Verdict(False, event.seq, f"树叶序号不连续：应为 {stream.size}，实为 {leaf.index}（树叶被删除或插入）")
        if event_hash(event) != event.hash:
            return Verdict(False, event.seq, "记录内容与其哈希不一致（记录被篡改）")
        if leaf_hash(event.hash) != bytes(leaf.digest):
            return Verdict(False, event.seq, "树叶哈希与记录哈希不一致（记录或树叶被改写）")
        stream.push(bytes(leaf.digest))
        while next_check < len(checkpoints) and checkpoints[next_check] == stream.size:
            problem = _check_root(stream.size, stream.root(), signed, witness)
            if problem:
                return Verdict(False, event.seq, problem)
            next_check += 1
    if next_check < len(checkpoints):
        return Verdict(False, None, f"树头记录了 {checkpoints[-1]} 片树叶，而树中只有 {stream.size} 片（树叶被删除）")
    if stream.size and not heads:
        return Verdict(False, None, f"树中有 {stream.size} 片树叶，却没有一个签名树头（树头被删除，树可能被重算）")
    if heads and heads[-1][0] != stream.size:
        return Verdict(False, None, f"树中有 {stream.size} 片树叶，最新签名树头只覆盖 {heads[-1][0]} 片（树叶被插入）")
    if witness and max(witness) > (heads[-1][0] if heads else 0):
        return Verdict(False, None, "见证副本中的树头在数据库中不存在（树头被删除）")
    stray = AuditEvent.objects.filter(auditleaf__isnull=True, auditpending__isnull=True).order_by("seq").first()
    if stray is not None:
        return Verdict(False, stray.seq, "记录既不在审计树中，也不在待入树队列中（记录被插入或队列被改写）")
    pending = 0
    for event in AuditEvent.objects.filter(auditpending__isnull=False).order_by("seq").iterator(chunk_size=chunk_size):
        pending += 1
        if event_hash(event) != event.hash:
            return Verdict(False, event.seq, "待入树记录的内容与其哈希不一致（记录被篡改）")
    note = f"，另有 {pending} 条待入树" if pending else ""
    return Verdict(True, None, f"{stream.size} 条记录校验通过（{len(heads)} 个签名树头）{note}")


def _check_root(size: int, root: bytes, signed: dict[int, bytes], witness: dict[int, bytes]) -> str | None:
    if size in signed and signed[size] != root:
        return f"前 {size} 片树叶的根哈希与签名树头不符（记录被改写后重算了哈希）"
    if size in witness and witness[size] != root:
        return f"前 {size} 片树叶的根哈希与见证副本的树头不符（树被改写）"
    return None


def audit_inclusion_proof(seq: int) -> dict:
    """The proof that event ``seq`` is in the tree under the latest signed head (a JSON-ready dict).
    Raises ``AuditLeaf.DoesNotExist`` while the event is still pending."""
    leaf = AuditLeaf.objects.get(event_id=seq)
    head = AuditTreeHead.objects.order_by("-size").first()
    if head is None or head.size <= leaf.index:
        raise AuditLeaf.DoesNotExist(f"event {seq} is not yet under a signed tree head")
    proof = AuditTree().prove_inclusion(leaf.index + 1, head.size)
    return {"seq": seq, "leaf_index": leaf.index, "tree_size": head.size, "root": bytes(head.root).hex(),
            "timestamp_ms": head.timestamp_ms, "key_id": head.key_id, "signature": bytes(head.signature).hex(),
            "proof": proof.serialize()}


def audit_check_inclusion(event: AuditEvent, proof: dict, *, public_key: bytes | None = None) -> tuple[bool, str]:
    """Check, with the public key only, that ``event`` (as read now) is the leaf the proof names under a
    validly signed head."""
    root = bytes.fromhex(proof["root"])
    if not tree_head_signature_ok(proof["tree_size"], root, proof["timestamp_ms"],
                                  bytes.fromhex(proof["signature"]), public_key):
        return False, "树头签名无效"
    if event_hash(event) != event.hash:
        return False, "记录内容与其哈希不一致（记录被篡改）"
    try:
        verify_inclusion(leaf_hash(event.hash), root, InclusionProof.deserialize(proof["proof"]),
                         index=proof["leaf_index"] + 1, size=proof["tree_size"])
    except InvalidProof as exc:
        return False, f"包含证明不成立：{exc}"
    return True, f"记录 seq={event.seq} 在叶数 {proof['tree_size']} 的签名树头之下"
