"""``rotate_keys``: every encrypted field and stored file moves to the active key while the old key reads;
then the old key leaves the ring and everything still reads; a run stopped half-way is finished by the
next; what is already under the active key is skipped."""

import base64
import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from sscard.archive.selectors import archive_item_content
from sscard.archive.services import archive_store_image
from sscard.batches import storage as batch_storage
from sscard.core import crypto
from sscard.core.storage import EncryptedStorage
from sscard.people.models import Person
from sscard.staff.actors import Actor
from sscard.testing.factories import jpeg_bytes, make_person

pytestmark = pytest.mark.django_db

K1 = base64.b64encode(os.urandom(32)).decode()


def _raw_column(table: str, column: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE {column} <> '' ORDER BY id")  # noqa: S608 - fixed names
        return [r[0] for r in cur.fetchall()]


def _raw_head(name: str) -> bytes:
    with default_storage.inner.open(name, "rb") as fh:
        return fh.read(21)


def _world(settings, django_capture_on_commit_callbacks):
    """Persons (one with a pre-key-id ``v1:`` value), archived images, a batch file, and two files stored
    before the wrapper (a plain image, a batch blob sealed by the old batches framing)."""
    people = [make_person(name=f"人员{i}", phone=f"1380013{i:04d}") for i in range(7)]
    key = base64.b64decode(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, "重庆市渝中区解放碑1号".encode(), None)
    v1 = "v1:" + base64.b64encode(nonce + sealed).decode()
    with connection.cursor() as cur:
        cur.execute("UPDATE people_person SET address = %s WHERE id = %s", [v1, people[0].pk])
    photos = [jpeg_bytes(color=(255, 255, 250 - i)) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        items = [archive_store_image(actor=Actor.system("test"), subject_type="service_request",
                                     subject_id=f"R{i}", kind="photo", content=p)
                 for i, p in enumerate(photos)]
    batch_storage.save_encrypted("batches/B1/rows.json.enc", b'{"rows":[]}')
    default_storage.inner.save("archive/legacy/plain.jpg", ContentFile(photos[0]))
    nonce = os.urandom(12)
    default_storage.inner.save("batches/B0/rows.json.enc", ContentFile(
        b"SSCB1" + nonce + AESGCM(key).encrypt(nonce, b'{"old":true}', b"SSCB1")))
    return people, items, photos


def _reads_back(people, items, photos):
    for p in people:
        again = Person.objects.get(pk=p.pk)
        assert (again.id_number, again.phone) == (p.id_number, p.phone)
    assert Person.objects.get(pk=people[0].pk).address == "重庆市渝中区解放碑1号"
    assert [archive_item_content(i) for i in items] == photos
    assert batch_storage.read_encrypted("batches/B1/rows.json.enc") == b'{"rows":[]}'
    assert batch_storage.read_encrypted("batches/B0/rows.json.enc") == b'{"old":true}'
    assert default_storage.open("archive/legacy/plain.jpg").read() == photos[0]


def _files() -> list[str]:
    storage = default_storage._wrapped
    assert isinstance(storage, EncryptedStorage)
    return list(storage.walk(""))


def _new_key_active(settings):
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = f"k1:{K1}", "k1"


def _old_key_removed(settings):
    settings.FIELD_ENCRYPTION_KEY, settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = "", f"k1:{K1}", "k1"


def test_rotate_then_remove_the_old_key_and_everything_still_reads(
        settings, django_capture_on_commit_callbacks, capsys):
    people, items, photos = _world(settings, django_capture_on_commit_callbacks)
    _new_key_active(settings)
    _reads_back(people, items, photos)  # the old key still reads beside the new one
    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "done: everything is under the active key" in out
    for column in ("id_number", "phone", "address"):
        assert all(v.startswith("v2:k1:") for v in _raw_column("people_person", column))
    names = _files()
    assert len(names) == 6
    assert all(_raw_head(n) == b"SSCF\x01" + crypto.padded_key_id("k1") for n in names)
    _old_key_removed(settings)
    settings.SSCARD_STORAGE_READ_PLAIN = False  # the plain image and the old batch blob are sealed now
    _reads_back(people, items, photos)
    # a second run has nothing to do
    call_command("rotate_keys")
    assert "files: 0 rewritten, 6 already under k1, 0 failed" in capsys.readouterr().out


def test_a_run_stopped_half_way_is_finished_by_the_next(settings, django_capture_on_commit_callbacks,
                                                         monkeypatch, capsys):
    people, items, photos = _world(settings, django_capture_on_commit_callbacks)
    _new_key_active(settings)
    call_command("rotate_keys", "--limit", "3", "--chunk", "2")  # a bounded run: 3 rows, 3 files
    out = capsys.readouterr().out
    assert "fields: 3 rewritten" in out and "files: 3 rewritten" in out and "run again" in out
    under_k1 = [v.startswith("v2:k1:") for v in _raw_column("people_person", "id_number")]
    assert under_k1.count(True) == 3

    # the next run is killed after its first file (the process dies: nothing after it runs)
    calls = []
    real = EncryptedStorage.reseal

    def dying(self, name):
        if calls:
            raise KeyboardInterrupt
        calls.append(name)
        return real(self, name)

    monkeypatch.setattr(EncryptedStorage, "reseal", dying)
    with pytest.raises(KeyboardInterrupt):
        call_command("rotate_keys", "--only", "files")
    monkeypatch.setattr(EncryptedStorage, "reseal", real)

    call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "files: 2 rewritten, 4 already under k1, 0 failed" in out  # the 3 + 1 done before are skipped
    assert "done" in out
    _old_key_removed(settings)
    settings.SSCARD_STORAGE_READ_PLAIN = False
    _reads_back(people, items, photos)


def test_a_value_or_file_that_does_not_open_is_named_and_the_rest_rotated(settings, capsys):
    people = [make_person(name=f"人员{i}") for i in range(3)]
    default_storage.save("archive/x.jpg", ContentFile(jpeg_bytes()))
    default_storage.inner.delete("archive/x.jpg")
    broken = b"SSCF\x01" + b"k0".ljust(16, b"\0") + b"\0" * 60  # a header, then nothing that opens
    default_storage.inner.save("archive/x.jpg", ContentFile(broken))
    with connection.cursor() as cur:
        cur.execute("UPDATE people_person SET phone = %s WHERE id = %s", ["v2:k0:AAAA", people[1].pk])
    _new_key_active(settings)
    with pytest.raises(CommandError, match="2 item"):
        call_command("rotate_keys")
    err = capsys.readouterr().err
    assert f"people.Person#{people[1].pk}" in err and "archive/x.jpg" in err
    # the other rows moved; the row that does not open is left whole, as it was
    assert [v.startswith("v2:k1:") for v in _raw_column("people_person", "id_number")] == [True, False, True]
