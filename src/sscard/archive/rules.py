"""Pure checks for archived images: what bytes are accepted as evidence, and base64 decoding.

An image is accepted only if, by its content (never its name or declared type), it is a JPEG or PNG that
Pillow can open, verify and fully decode, is not larger than the byte limit, not larger than the pixel
limit (decompression bombs), and not smaller than the minimum side.
"""

import base64
import binascii
import io
import re
import struct
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from sscard.archive.choices import ImageFormat
from sscard.archive.image_header import image_header
from sscard.core.errors import InvalidInput

DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MIN_IMAGE_SIDE = 32

CONTENT_TYPES = {ImageFormat.JPEG: "image/jpeg", ImageFormat.PNG: "image/png"}
_DATA_URL = re.compile(r"^data:(image/[a-z0-9.+-]+)?((?:;[a-z0-9=._-]+)*);base64,", re.IGNORECASE)


def max_image_bytes() -> int:
    return int(getattr(settings, "SSCARD_ARCHIVE_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES))


def max_image_pixels() -> int:
    return int(getattr(settings, "SSCARD_ARCHIVE_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


def min_image_side() -> int:
    return int(getattr(settings, "SSCARD_ARCHIVE_MIN_IMAGE_SIDE", DEFAULT_MIN_IMAGE_SIDE))


@dataclass(frozen=True)
class ImageFacts:
    format: str
    content_type: str
    width: int
    height: int


def _invalid(detail: str = "") -> InvalidInput:
    message = "图片文件无法识别或已损坏，请重新拍摄或上传 JPEG/PNG 图片"
    return InvalidInput("IMAGE_INVALID", message, details={"reason": detail} if detail else None)


def _complete(image_format: str, content: bytes) -> bool:
    """The stream ends as its format says (JPEG end-of-image marker, PNG IEND chunk): not truncated."""
    if image_format == "JPEG":
        return content.rstrip(b"\x00\r\n")[-2:] == b"\xff\xd9"
    return content[-12:-8] == b"\x00\x00\x00\x00" and content[-8:-4] == b"IEND"


def inspect_image(content: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None,
                  min_side: int | None = None, decode: bool = True) -> ImageFacts:
    """Validate image bytes and return their facts, or raise ``InvalidInput``.

    ``decode=False`` (employer batches: hundreds of thousands of scans) checks the header, the limits and
    that the stream is complete (end marker), without decoding pixels: ~0.1 ms instead of 1-7 ms a scan.

    Codes: IMAGE_INVALID (empty, not an image, truncated, corrupt), IMAGE_TOO_LARGE (bytes),
    IMAGE_FORMAT (not JPEG/PNG), IMAGE_PIXELS (too many pixels, or a side below the minimum).
    """
    max_bytes = max_image_bytes() if max_bytes is None else max_bytes
    max_pixels = max_image_pixels() if max_pixels is None else max_pixels
    min_side = min_image_side() if min_side is None else min_side
    if not isinstance(content, (bytes, bytearray)) or not content:
        raise _invalid("empty")
    if len(content) > max_bytes:
        raise InvalidInput("IMAGE_TOO_LARGE", f"图片文件过大，不能超过 {max_bytes // 1024} KB",
                           details={"max_bytes": max_bytes, "size_bytes": len(content)})
    content = bytes(content)
    if not decode:
        return _inspect_header(content, max_pixels, min_side)
    try:
        # Opening reads the header only: size and format are known before any pixel is decoded.
        with Image.open(io.BytesIO(content)) as probe:
            image_format = probe.format
            width, height = probe.size
            if image_format not in CONTENT_TYPES:
                raise InvalidInput("IMAGE_FORMAT", "图片格式不支持，仅接受 JPEG 或 PNG 图片",
                                   details={"allowed": list(CONTENT_TYPES)})
            _check_dimensions(width, height, max_pixels, min_side)
            probe.verify()
        # verify() leaves the image unusable and does not decode JPEG data: decode it fully to catch
        # truncated or corrupt streams.
        with Image.open(io.BytesIO(content)) as image:
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput("IMAGE_PIXELS", f"图片像素过多，不能超过 {max_pixels // 1_000_000} 百万像素",
                           details={"max_pixels": max_pixels}) from None
    except UnidentifiedImageError:
        raise _invalid("unidentified") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        raise _invalid(type(exc).__name__) from None
    return ImageFacts(format=image_format, content_type=CONTENT_TYPES[image_format], width=width,
                      height=height)


_OTHER_IMAGE_MAGIC = (b"GIF87a", b"GIF89a", b"BM", b"RIFF", b"II*\x00", b"MM\x00*", b"\x00\x00\x01\x00")


def _inspect_header(content: bytes, max_pixels: int, min_side: int) -> ImageFacts:
    """``inspect_image(decode=False)``: format and size from the header, limits, and a complete stream."""
    header = image_header(content)
    if header is None:
        if content.startswith(_OTHER_IMAGE_MAGIC):
            raise InvalidInput("IMAGE_FORMAT", "图片格式不支持，仅接受 JPEG 或 PNG 图片",
                               details={"allowed": list(CONTENT_TYPES)})
        raise _invalid("unidentified")
    image_format, width, height = header
    _check_dimensions(width, height, max_pixels, min_side)
    if not _complete(image_format, content):
        raise _invalid("truncated")
    return ImageFacts(format=image_format, content_type=CONTENT_TYPES[image_format], width=width, height=height)


def _check_dimensions(width: int, height: int, max_pixels: int, min_side: int) -> None:
    if width * height > max_pixels:
        raise InvalidInput("IMAGE_PIXELS", f"图片像素过多，不能超过 {max_pixels // 1_000_000} 百万像素",
                           details={"max_pixels": max_pixels, "width": width, "height": height})
    if width < min_side or height < min_side:
        raise InvalidInput("IMAGE_PIXELS", f"图片尺寸过小，宽和高均不能小于 {min_side} 像素",
                           details={"min_side": min_side, "width": width, "height": height})


def decode_base64_image(value: str) -> bytes:
    """Decode plain base64 or a ``data:image/...;base64,`` URL to bytes (the image itself is not checked).

    Bad base64, a non-image data URL or an empty value raise ``InvalidInput("IMAGE_BASE64")``; a value
    that would decode to more than the byte limit raises ``IMAGE_TOO_LARGE`` before decoding.
    """
    bad = InvalidInput("IMAGE_BASE64", "图片数据不是有效的 base64 编码")
    if not isinstance(value, str):
        raise bad
    text = value.strip()
    if text[:5].lower() == "data:":
        match = _DATA_URL.match(text)
        if match is None or match.group(1) is None:
            raise InvalidInput("IMAGE_BASE64", "图片数据格式不正确，应为 data:image/...;base64, 开头的图片数据")
        text = text[match.end():]
    text = re.sub(r"\s+", "", text)
    if not text:
        raise bad
    limit = max_image_bytes()
    if len(text) * 3 // 4 > limit + 3:
        raise InvalidInput("IMAGE_TOO_LARGE", f"图片文件过大，不能超过 {limit // 1024} KB",
                           details={"max_bytes": limit})
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise bad from None
    if not decoded:
        raise bad
    return decoded
