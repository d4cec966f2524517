"""The upload handler of the batch submission: Django's temporary-file handler (every upload above
``FILE_UPLOAD_MAX_MEMORY_SIZE`` is spooled to a temporary file, never held in memory) that also takes the
SHA-256 of each file as its chunks arrive, so the submission knows the digest (one batch per file and
employer) without reading a 1 GB scans zip again.  Installed first in ``FILE_UPLOAD_HANDLERS``.
"""

import hashlib

from django.core.files.uploadhandler import TemporaryFileUploadHandler


class HashingUploadHandler(TemporaryFileUploadHandler):
    """Spools every file to a temporary file (``TemporaryFileUploadHandler``) and sets ``file.sha256``."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        upload = super().file_complete(file_size)
        upload.sha256 = self._digest.hexdigest()
        return upload
