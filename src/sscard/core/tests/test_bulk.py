"""``core.bulk``: the lean insert of the batch pipeline and its keyed read-back (run on SQLite and PostgreSQL)."""

import datetime as dt

import pytest
from django.db import connection

from sscard.core import crypto
from sscard.core.bulk import bulk_insert, clone, pairs_where_in
from sscard.people.models import Person
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


def _people(n: int) -> list[Person]:
    template = Person(created_at=NOW, updated_at=NOW, id_type="id_card", birth_date=dt.date(1990, 3, 7),
                      nationality="中国")
    out = []
    for i in range(n):
        number = f.id_number_for(dt.date(1990, 3, 7), serial=100 + i)
        out.append(clone(template, name=f"批量{i}", id_number=number, id_hash=crypto.lookup_hash(number),
                         phone=f"139{i:08d}" if i % 2 else "", address="重庆市渝中区" if i % 3 else ""))
    return out


def test_bulk_insert_encrypts_sets_keys_and_reads_back_like_the_orm():
    people = _people(5)
    bulk_insert(Person, people, key="id_hash", batch_size=2)
    assert all(p.pk for p in people) and len({p.pk for p in people}) == 5
    for p in people:
        again = Person.objects.get(pk=p.pk)
        assert (again.name, again.id_number, again.phone, again.address) == (p.name, p.id_number, p.phone,
                                                                              p.address)
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, phone FROM people_person WHERE id = %s", [people[1].pk])
        stored_number, stored_phone = cur.fetchone()
    assert stored_number.startswith("v2:k0:") and people[1].id_number not in stored_number
    assert stored_phone.startswith("v2:k0:") and people[1].phone not in stored_phone


def test_pairs_where_in_across_batches_and_with_an_equality():
    people = _people(7)
    bulk_insert(Person, people, key=None)
    hashes = [p.id_hash for p in people] + ["not-there"]
    pairs = pairs_where_in(Person, "id_hash", hashes, "name", batch_size=3)
    assert sorted(pairs) == sorted((p.id_hash, p.name) for p in people)
    assert pairs_where_in(Person, "id_hash", hashes, "name", also={"name": "批量4"}) == [(people[4].id_hash,
                                                                                        "批量4")]
    assert pairs_where_in(Person, "id_hash", [], "name") == []
