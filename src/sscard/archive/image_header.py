"""Reading an image's format and size from its header bytes alone (JPEG, PNG), in pure Python.

Used where hundreds of thousands of images are checked at once (employer batch scans): a few
microseconds per image, against ~70 µs for opening it with Pillow.  Anything unexpected gives None
(the caller refuses the image); nothing is decoded.
"""

import struct

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Start-of-frame markers: baseline, extended, progressive, lossless (differential and arithmetic too).
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_MAX_SEGMENTS = 256


def image_header(content: bytes) -> tuple[str, int, int] | None:
    """``("JPEG" | "PNG", width, height)`` from the header, or None when it is neither or malformed."""
    if content.startswith(_PNG_SIGNATURE):
        if len(content) < 33 or content[12:16] != b"IHDR" or content[8:12] != b"\x00\x00\x00\x0d":
            return None
        width, height = struct.unpack(">II", content[16:24])
        return ("PNG", width, height) if width and height else None
    frame = jpeg_frame(content)
    return None if frame is None else ("JPEG", frame[0], frame[1])


def jpeg_frame(content: bytes) -> tuple[int, int, int] | None:
    """``(width, height, components)`` of a JPEG's frame header, or None when it is not a (sound) JPEG."""
    if content[:3] != b"\xff\xd8\xff":
        return None
    pos, end = 2, len(content)
    for _ in range(_MAX_SEGMENTS):
        while pos < end and content[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= end or content[pos - 1] != 0xFF:
            return None
        marker = content[pos]
        pos += 1
        if marker in _STANDALONE:
            continue
        if marker in (0xD9, 0xDA) or pos + 2 > end:  # end of image or scan data before any frame header
            return None
        (length,) = struct.unpack(">H", content[pos:pos + 2])
        if length < 2:
            return None
        if marker in _SOF:
            if pos + 8 > end:
                return None
            height, width, components = struct.unpack(">HHB", content[pos + 3:pos + 8])
            return (width, height, components) if width and height else None
        pos += length
    return None
