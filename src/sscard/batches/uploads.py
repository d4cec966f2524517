"""The upload handler of the batch submission (installed first in ``FILE_UPLOAD_HANDLERS``): every upload
spooled to a temporary file, never held in memory, sealed as it arrives and hashed on the way in
(``core.uploads.SealingUploadHandler``), so the submission knows the digest (one batch per file and
employer) without reading a 1 GB scans zip again, and stores the upload by moving it, not encrypting it
a second time.
"""

from sscard.core.uploads import SealingUploadHandler


class HashingUploadHandler(SealingUploadHandler):
    """``core.uploads.SealingUploadHandler`` (sets ``file.sha256``), under the name the settings use."""
