"""``manage.py rotate_keys``: rewrite every encrypted field and every stored file under the active key.

Set the new key in ``SSCARD_FIELD_KEYS`` with the old one(s) still there and ``SSCARD_FIELD_ACTIVE_KEY`` =
the new id, restart the service (new values and files are sealed with the new key at once), then run
this.  It is resumable: a rerun skips what is already under the active key, so stop it (or bound it
with ``--limit``) and run it again as often as needed.  When it reports nothing left to do and nothing
failed, the old key can leave the ring.  Exit status 1 if anything failed to open (named in the output).
"""

from django.core.management.base import BaseCommand, CommandError

from sscard.core import crypto, rotation


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field and every stored file under the active key (resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--only", choices=["fields", "files"], help="only the fields, or only the files")
        parser.add_argument("--chunk", type=int, default=rotation.DEFAULT_CHUNK, help="rows per transaction")
        parser.add_argument("--limit", type=int, help="stop after rewriting this many rows (and files)")

    def handle(self, *args, only=None, chunk=rotation.DEFAULT_CHUNK, limit=None, **options):
        if chunk < 1 or (limit is not None and limit < 1):
            raise CommandError("--chunk and --limit must be positive")
        ring = crypto.keyring()
        self.stdout.write(f"active key: {ring.active}; keys in the ring: {', '.join(ring.keys)}")
        failed, stopped = [], False
        if only in (None, "fields"):
            done = rotation.rotate_fields(chunk=chunk, limit=limit, report=self.stdout.write)
            self.stdout.write(f"fields: {done.rewritten} rewritten, {len(done.failed)} failed"
                              + ("; limit reached, run again to go on" if done.stopped else ""))
            failed += done.failed
            stopped |= done.stopped
        if only in (None, "files"):
            try:
                done = rotation.rotate_files(limit=limit, report=self.stdout.write)
            except TypeError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"files: {done.rewritten} rewritten, "
                              f"{done.skipped} already under {ring.active}, "
                              f"{len(done.failed)} failed"
                              + ("; limit reached, run again to go on" if done.stopped else ""))
            failed += done.failed
            stopped |= done.stopped
        for name in failed:
            self.stderr.write(f"does not open (tampered, or its key is not in the ring): {name}")
        if failed:
            raise CommandError(f"{len(failed)} item(s) could not be re-encrypted", returncode=1)
        if not stopped:
            self.stdout.write("done: everything is under the active key")
