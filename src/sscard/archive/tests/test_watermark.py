"""The certified-copy watermark (``sscard.archive.watermark``): drawn over the whole image, semi-transparent,
in the image's own format, size, orientation and colour mode; deterministic; which kinds carry it."""

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from sscard.archive.choices import EvidenceKind
from sscard.archive.tests.images import make_image
from sscard.archive.watermark import WATERMARK_TEXT, watermark_image, watermarked


def _open(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def test_the_statement_is_the_certified_copy_one():
    assert WATERMARK_TEXT == "此件经与原件核对无误，仅供办理政务服务事项时使用"


@pytest.mark.parametrize("kind", list(EvidenceKind.values))
def test_which_kinds_carry_it(kind):
    assert watermarked(kind) is (kind in ("credential", "scene", "intro_letter"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_drawn_over_the_whole_image_semi_transparent_same_size_and_format(fmt):
    plain = Image.new("RGB", (800, 500), (235, 240, 245))
    plain.paste((30, 30, 40), (0, 250, 800, 500))  # a dark half: the halo keeps the text legible there
    content = _encoded(plain, fmt)
    marked, width, height = watermark_image(content)
    image = _open(marked)
    assert (image.format, image.size, (width, height)) == (fmt, (800, 500), (800, 500))
    diff = ImageChops.difference(image.convert("RGB"), plain)
    for x in range(0, 800, 200):
        for y in range(0, 500, 125):
            assert ImageStat.Stat(diff.crop((x, y, x + 200, y + 125))).mean[0] > 2, (x, y)
    light = image.convert("L").crop((0, 0, 800, 250))
    assert 60 < light.getextrema()[0] < 200  # darkened where the text is, never to solid black
    dark = image.convert("L").crop((0, 250, 800, 500))
    assert dark.getextrema()[1] > 70  # lightened by the text and its halo on the dark half


def test_the_same_image_gives_the_same_bytes():
    content = make_image("JPEG", size=(400, 300))
    assert watermark_image(content) == watermark_image(content)


def test_grey_stays_grey_and_a_png_keeps_its_transparency():
    grey = _open(watermark_image(_encoded(Image.new("L", (300, 200), 240), "JPEG"))[0])
    assert grey.mode == "L"
    clear = Image.new("RGBA", (300, 200), (255, 255, 255, 0))
    clear.paste((255, 255, 255, 255), (0, 0, 150, 200))
    marked = _open(watermark_image(_encoded(clear, "PNG"))[0])
    assert marked.mode == "RGBA" and marked.getchannel("A").getextrema() == (0, 255)


def test_an_exif_rotation_is_applied_since_exif_is_not_kept():
    upright = Image.new("RGB", (300, 500), (240, 240, 240))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the stored pixels are turned; viewers turn them back
    content = _encoded(upright.rotate(90, expand=True), "JPEG", exif=exif)
    marked, width, height = watermark_image(content)
    image = _open(marked)
    assert image.size == (width, height) == (300, 500)
    assert not image.getexif().get(0x0112)


def test_a_large_scan_is_watermarked_at_its_size():
    content = _encoded(Image.new("RGB", (2592, 1944), (240, 240, 240)), "JPEG", quality=80)
    marked, width, height = watermark_image(content)
    assert (width, height) == _open(marked).size == (2592, 1944)
    assert ImageStat.Stat(_open(marked).convert("L")).mean[0] < 238
