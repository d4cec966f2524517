import base64

import pytest

from sscard.archive.rules import DEFAULT_MAX_IMAGE_BYTES, decode_base64_image, inspect_image
from sscard.archive.tests.images import make_image, png_claiming
from sscard.core.errors import InvalidInput


def _code(content, **kwargs) -> str:
    with pytest.raises(InvalidInput) as info:
        inspect_image(content, **kwargs)
    assert info.value.message  # a Chinese message is always present
    return info.value.code


@pytest.mark.parametrize("fmt,content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png")])
def test_jpeg_and_png_accepted_with_their_facts(fmt, content_type):
    facts = inspect_image(make_image(fmt, size=(150, 100)))
    assert (facts.format, facts.content_type, facts.width, facts.height) == (fmt, content_type, 150, 100)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_formats_refused_by_content(fmt):
    assert _code(make_image(fmt)) == "IMAGE_FORMAT"


def test_decompression_bomb_header_refused():
    assert _code(png_claiming(50000, 50000)) == "IMAGE_PIXELS"


def test_pixel_limit_below_pillow_default_is_enforced():
    # 48 megapixels: under Pillow's own bomb threshold, over our 40 MP limit.
    assert _code(png_claiming(8000, 6000)) == "IMAGE_PIXELS"
    assert _code(make_image("PNG", size=(100, 100)), max_pixels=5000) == "IMAGE_PIXELS"


def test_too_small_refused():
    assert _code(make_image("PNG", size=(10, 200))) == "IMAGE_PIXELS"


def test_truncated_jpeg_and_png_refused():
    jpeg = make_image("JPEG", size=(200, 200), noise=True)
    png = make_image("PNG", size=(200, 200), noise=True)
    assert _code(jpeg[: len(jpeg) * 6 // 10]) == "IMAGE_INVALID"
    assert _code(png[: len(png) * 6 // 10]) == "IMAGE_INVALID"


def test_corrupt_png_data_refused():
    png = bytearray(make_image("PNG", size=(200, 200), noise=True))
    png[200:260] = b"\x00" * 60  # inside IDAT: CRC mismatch
    assert _code(bytes(png)) == "IMAGE_INVALID"


@pytest.mark.parametrize("content", [b"", b"\x00" * 64, bytes(range(256)) * 8, b"%PDF-1.7\n...",
                                     b"\x89PNG\r\n\x1a\n" + b"garbage" * 20])
def test_empty_random_and_foreign_bytes_refused(content):
    assert _code(content) == "IMAGE_INVALID"


def test_size_limit_checked_first():
    assert _code(b"\xff" * (DEFAULT_MAX_IMAGE_BYTES + 1)) == "IMAGE_TOO_LARGE"
    assert _code(make_image("PNG"), max_bytes=100) == "IMAGE_TOO_LARGE"


def test_size_limit_configurable(settings):
    content = make_image("JPEG", noise=True)
    settings.SSCARD_ARCHIVE_MAX_IMAGE_BYTES = len(content) - 1
    assert _code(content) == "IMAGE_TOO_LARGE"
    settings.SSCARD_ARCHIVE_MAX_IMAGE_BYTES = len(content)
    assert inspect_image(content).format == "JPEG"


def test_decode_plain_and_data_url():
    raw = make_image("PNG")
    encoded = base64.b64encode(raw).decode()
    assert decode_base64_image(encoded) == raw
    assert decode_base64_image(f"data:image/png;base64,{encoded}") == raw
    assert decode_base64_image("DATA:image/jpeg;base64," + encoded[:40] + "\n" + encoded[40:]) == raw
    assert decode_base64_image(encoded.rstrip("=")) == raw
    assert decode_base64_image(base64.urlsafe_b64encode(raw).decode()) == raw


@pytest.mark.parametrize("value", ["", "   ", "!!!not base64!!!", "abc$", "data:text/plain;base64,aGVsbG8=",
                                   "data:image/png,aGVsbG8=", "data:;base64,aGVsbG8=", None, "===="])
def test_decode_bad_base64_refused(value):
    with pytest.raises(InvalidInput) as info:
        decode_base64_image(value)
    assert info.value.code == "IMAGE_BASE64"


def test_decode_refuses_oversized_before_decoding(settings):
    settings.SSCARD_ARCHIVE_MAX_IMAGE_BYTES = 30
    with pytest.raises(InvalidInput) as info:
        decode_base64_image(base64.b64encode(b"x" * 100).decode())
    assert info.value.code == "IMAGE_TOO_LARGE"
