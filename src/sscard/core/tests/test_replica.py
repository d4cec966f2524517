"""Reads inside ``use_replica()`` go to the replica alias when one is configured; writes, reads in a
transaction and reads outside the block stay on the primary."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from sscard.core.replica import REPLICA, ReplicaRouter, use_replica


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("sscard.core.replica.replica_configured", lambda: True)


def test_reads_in_the_block_use_the_replica(with_replica):
    router, model = ReplicaRouter(), get_user_model()
    assert router.db_for_read(model) is None
    with use_replica():
        assert router.db_for_read(model) == REPLICA
        assert router.db_for_write(model) == "default"
    assert router.db_for_read(model) is None


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    with use_replica(), transaction.atomic():
        assert ReplicaRouter().db_for_read(get_user_model()) is None


def test_without_a_replica_the_block_changes_nothing():
    with use_replica():
        assert ReplicaRouter().db_for_read(get_user_model()) is None


def test_only_the_primary_is_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "cards") and not router.allow_migrate(REPLICA, "cards")
