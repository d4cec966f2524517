"""Key rotation: every encrypted field (``EncryptedTextField``) and every stored file (``EncryptedStorage``)
rewritten under the key ring's active key, while the old keys still read (``rotate_keys``).

Resumable by construction: what is already under the active key is recognised without decrypting (a
field's ``v2:<active>:`` prefix, compared in SQL; a file's key id, read from its 64-byte header) and
skipped, so a run stopped anywhere (killed, ``limit`` reached) is finished by running it again.  Fields go
in chunks of rows by primary key, each chunk one transaction that locks its rows, so a business writing
the same row meanwhile is not overwritten with an older value.  Files are rewritten in place atomically
(``EncryptedStorage.reseal``).  A value or file that does not open (tampered, or under a key no longer in
the ring) is counted as failed, named (model and primary key, or file name: never the content) and left
as it is; the run goes on and reports it.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import storages
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Substr

from sscard.core import crypto
from sscard.core.fields import EncryptedTextField
from sscard.core.storage import EncryptedFileError, EncryptedStorage

DEFAULT_CHUNK = 500


@dataclass
class Progress:
    rewritten: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    stopped: bool = False  # the limit was reached: run again to go on


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted columns, and those columns' names."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def _stale(model, names: list[str], prefix: str):
    """Rows of ``model`` with a value of ``names`` not under the active key (compared on the stored text)."""
    heads = {f"_head_{n}": Substr(n, 1, len(prefix), output_field=models.TextField()) for n in names}
    stale = Q()
    for n in names:
        stale |= Q(**{f"{n}__isnull": False}) & ~Q(**{n: ""}) & ~Q(**{f"_head_{n}": prefix})
    return model._base_manager.annotate(**heads).filter(stale)


def rotate_fields(*, chunk: int = DEFAULT_CHUNK, limit: int | None = None, report=None) -> Progress:
    progress = Progress()
    prefix = crypto.active_prefix()
    for model, names in encrypted_fields():
        label = model._meta.label
        last = None
        while True:
            if limit is not None and progress.rewritten >= limit:
                progress.stopped = True
                return progress
            size = chunk if limit is None else min(chunk, limit - progress.rewritten)
            stale = _stale(model, names, prefix)
            if last is not None:
                stale = stale.filter(pk__gt=last)
            pks = list(stale.order_by("pk").values_list("pk", flat=True)[:size])
            if not pks:
                break
            last = pks[-1]
            progress.rewritten += _rewrite_rows(model, names, pks, progress)
            if report:
                report(f"{label}: {progress.rewritten} rewritten so far (up to #{last})")
    return progress


def _rewrite_rows(model, names: list[str], pks: list, progress: Progress) -> int:
    try:
        with transaction.atomic():
            rows = list(model._base_manager.select_for_update().filter(pk__in=pks).only("pk", *names))
            model._base_manager.bulk_update(rows, names)  # get_prep_value seals under the active key
            return len(rows)
    except crypto.DecryptionError:
        pass
    done = 0  # a value in the chunk does not open: row by row, to name it and rewrite the others
    for pk in pks:
        try:
            with transaction.atomic():
                rows = list(model._base_manager.select_for_update().filter(pk=pk).only("pk", *names))
                model._base_manager.bulk_update(rows, names)
                done += len(rows)
        except crypto.DecryptionError:
            progress.failed.append(f"{model._meta.label}#{pk}")
    return done


def rotate_files(*, limit: int | None = None, report=None, every: int = 100) -> Progress:
    progress = Progress()
    storage = storages["default"]
    if not isinstance(storage, EncryptedStorage):
        raise TypeError("the default storage is not sscard.core.storage.EncryptedStorage")
    active = crypto.keyring().active
    for name in _names(storage):
        if storage.key_id(name) == active:
            progress.skipped += 1
            continue
        if limit is not None and progress.rewritten >= limit:
            progress.stopped = True
            return progress
        try:
            storage.reseal(name)
        except EncryptedFileError:
            progress.failed.append(name)
            continue
        progress.rewritten += 1
        if report and progress.rewritten % every == 0:
            report(f"files: {progress.rewritten} rewritten so far (last {name})")
    return progress


def _names(storage: EncryptedStorage):
    try:
        yield from storage.walk("")
    except FileNotFoundError:  # nothing stored yet (no media folder)
        return
