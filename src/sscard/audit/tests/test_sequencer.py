"""The sequencer makes committed events leaves, in chunks, each chunk under a new signed head; a rerun
with nothing pending changes nothing; heads go to the witness file."""

import json

import pytest
from django.db import transaction

from sscard.audit.models import AuditLeaf, AuditPending, AuditTreeHead
from sscard.audit.sequencer import audit_integrate
from sscard.audit.services import audit_record
from sscard.audit.signing import tree_head_signature_ok
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def write(n: int, start: int = 0):
    for i in range(start, start + n):
        with transaction.atomic():
            audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=i,
                         data={"i": i})


def test_pending_events_become_leaves_under_signed_heads_chunk_by_chunk(settings, tmp_path):
    settings.AUDIT_HEADS_FILE = str(tmp_path / "heads.jsonl")
    write(5)
    head = audit_integrate(chunk=2)
    assert head.size == 5
    assert list(AuditTreeHead.objects.values_list("size", flat=True)) == [2, 4, 5]
    assert not AuditPending.objects.exists()
    assert list(AuditLeaf.objects.order_by("index").values_list("event__subject_id", flat=True)) == \
        ["0", "1", "2", "3", "4"]
    for h in AuditTreeHead.objects.all():
        assert tree_head_signature_ok(h.size, bytes(h.root), h.timestamp_ms, bytes(h.signature))
    lines = [json.loads(line) for line in open(settings.AUDIT_HEADS_FILE)]
    assert [line["size"] for line in lines] == [2, 4, 5]
    assert lines[-1]["root"] == bytes(AuditTreeHead.objects.get(size=5).root).hex()


def test_a_rerun_with_nothing_pending_changes_nothing():
    write(3)
    audit_integrate()
    assert audit_integrate() is None
    assert AuditTreeHead.objects.count() == 1 and AuditLeaf.objects.count() == 3


def test_later_events_extend_the_same_tree():
    write(3)
    audit_integrate()
    write(2, start=3)
    head = audit_integrate()
    assert head.size == 5
    assert list(AuditLeaf.objects.order_by("index").values_list("index", flat=True)) == [0, 1, 2, 3, 4]


def test_max_chunks_bounds_one_run():
    write(5)
    assert audit_integrate(chunk=2, max_chunks=1).size == 2
    assert AuditPending.objects.count() == 3
