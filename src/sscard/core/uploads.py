"""Uploads sealed as they arrive: ``SealingUploadHandler`` spools every uploaded file to a temporary file
in the encrypting storage's format (``core.storage``: AES-256-GCM segments under the active key), so no
upload (a 1 GB scans zip of ID cards, a photo) is ever on disk in clear, and takes its SHA-256 on the way
in (``upload.sha256``).  The upload reads in clear like any Django upload (``read``, ``chunks``, ``seek``:
a ``DecryptingReader`` over the temporary file); saved to the encrypting storage it is moved into place
as it is (``sealed``), not encrypted again, so storing a large upload costs a rename on the filesystem.
"""

import hashlib
import os
import tempfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from sscard.core.storage import DecryptingReader, Sealer


class SealedTemporaryUploadedFile(UploadedFile):
    """An upload in a sealed temporary file; reads in clear once complete."""

    sealed = True

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        _, ext = os.path.splitext(name)
        self._tmp = tempfile.NamedTemporaryFile(suffix=".upload" + ext, dir=settings.FILE_UPLOAD_TEMP_DIR)
        super().__init__(self._tmp, name, content_type, size, charset, content_type_extra)
        self._sealer = Sealer(self._tmp)
        self._digest = hashlib.sha256()
        self.sha256 = ""

    def receive(self, raw_data: bytes) -> None:
        self._digest.update(raw_data)
        self._sealer.write(raw_data)

    def complete(self, size: int) -> None:
        self._sealer.close()
        self._tmp.flush()
        self.size, self.sha256 = size, self._digest.hexdigest()
        self.file = DecryptingReader(open(self._tmp.name, "rb"), os.fstat(self._tmp.fileno()).st_size)

    def temporary_file_path(self):
        """The sealed temporary file (what the encrypting storage moves into place)."""
        return self._tmp.name

    def close(self):
        if self.file is not self._tmp:
            self.file.close()
        try:
            self._tmp.close()
        except FileNotFoundError:  # moved into storage before the temporary file could unlink it
            pass


class SealingUploadHandler(FileUploadHandler):
    """Every uploaded file to a sealed temporary file, its SHA-256 taken as its chunks arrive."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = SealedTemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset,
                                                self.content_type_extra)

    def receive_data_chunk(self, raw_data, start):
        self.file.receive(raw_data)

    def file_complete(self, file_size):
        self.file.complete(file_size)
        return self.file

    def upload_interrupted(self):
        if hasattr(self, "file"):
            self.file.close()
