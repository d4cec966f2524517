"""The certified-copy watermark (复印件核验水印) of an archived copy of a document checked against its
original: 「此件经与原件核对无误，仅供办理政务服务事项时使用」.

The copies a window makes of what is presented to it carry it: credential images (ID card, hukou, other
identity documents), the scene photo, and the unit's introduction letter (``WATERMARKED_KINDS``).  The card
photo (printed on the card), the signature, the signed form (itself the record) and the app's uploads
(never seen against an original) are stored as received.

The statement is drawn over the whole image, repeated along parallel lines rising at ``ANGLE`` degrees,
in semi-transparent dark grey with a light halo (legible on light and dark parts alike, and not removed by
cropping a band off), with the vendored CJK font (``fonts/wqy-microhei.ttf``).  The result keeps the
image's format and visible orientation (an EXIF rotation is applied, since EXIF is not kept), its size and
its colour profile.  Deterministic: the same image gives the same bytes.
"""

import functools
import io
import math
import threading

from PIL import Image, ImageDraw, ImageFont, ImageOps

from sscard.archive.choices import EvidenceKind
from sscard.archive.pdf import FONT_PATH

WATERMARK_TEXT = "此件经与原件核对无误，仅供办理政务服务事项时使用"
WATERMARKED_KINDS = frozenset({EvidenceKind.CREDENTIAL, EvidenceKind.SCENE, EvidenceKind.INTRO_LETTER})
ANGLE = 30  # degrees, rising left to right
TEXT, TEXT_OPACITY = (60, 60, 60), 115  # dark grey, ~45 % opaque
HALO, HALO_OPACITY = (255, 255, 255), 80  # a light rim, ~30 %: legible on dark parts too
FONT_DIVISOR = 20  # the text is the shorter side / 20 high (27 px on a 540-px card scan)
LINE_SPACING = 3.0  # lines of text this many text heights apart
MASK_MAX_PX = 1600  # the text is drawn at most this many pixels across the image's diagonal, then scaled
JPEG_QUALITY = 90
MASK_CACHE = 8  # sizes whose masks are kept: at most 2 × 1.3 MB each (MASK_MAX_PX across)
_lock = threading.Lock()  # a FreeType face is not safe to draw with from two threads at once


def watermark_image(content: bytes) -> tuple[bytes, int, int]:
    """``content`` (a JPEG or PNG the archive accepted) with the watermark: (bytes, width, height), in the
    same format."""
    with Image.open(io.BytesIO(content)) as opened:
        image_format = opened.format
        info = dict(opened.info)
        image = ImageOps.exif_transpose(opened)
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA", "PA") else None
    grey = image.mode in ("1", "L", "LA", "I", "I;16", "F")
    base = image.convert("L" if grey else "RGB")
    halo, text = _masks(base.size)
    # A solid colour pasted through a mask blends exactly as ``Image.composite`` with a solid image does
    # (composite is a copy and this paste), without making the solid image and the copy.
    base.paste(HALO[0] if grey else HALO, None, halo)
    base.paste(TEXT[0] if grey else TEXT, None, text)
    options = {key: info[key] for key in ("icc_profile", "dpi") if info.get(key)}
    out = io.BytesIO()
    if image_format == "JPEG":
        base.save(out, format="JPEG", quality=JPEG_QUALITY, **options)
    else:
        if alpha is not None:
            base = base.convert("LA" if grey else "RGBA")
            base.putalpha(alpha)
        base.save(out, format="PNG", **options)
    return out.getvalue(), base.width, base.height


def _masks(size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    """The halo and text opacity masks of ``size``: the statement repeated along parallel lines, laid
    unrotated on a square canvas, then turned by ``ANGLE`` degrees in one affine transform.  A large image
    gets masks made at most ``MASK_MAX_PX`` across its diagonal and scaled up (cheap, and the text stays
    legible: it is large there)."""
    width, height = size
    scale = min(1.0, MASK_MAX_PX / math.hypot(width, height))
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    masks = _small_masks(small)
    if small != size:
        masks = tuple(m.resize(size, Image.Resampling.BILINEAR) for m in masks)
    return masks[0], masks[1]


@functools.lru_cache(maxsize=MASK_CACHE)
def _small_masks(small: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    """The masks at ``small`` (at most ``MASK_MAX_PX`` across), kept for the next image of that size: a
    window's camera and scanner give the same few sizes all day, and drawing the masks is most of the
    watermark's cost (~25 ms of ~35 for a 1280×960 scene photo).  Read-only once made."""
    halo_strip, text_strip, step_along, step_across = _strips(max(10, round(min(small) / FONT_DIVISOR)))
    side = math.ceil(math.hypot(*small)) + 2 * step_along
    halo_mask, text_mask = Image.new("L", (side, side), 0), Image.new("L", (side, side), 0)
    for row, y in enumerate(range(0, side, step_across)):
        for x in range(-(row % 2) * step_along // 2, side, step_along):  # alternate lines: half a sentence on
            halo_mask.paste(halo_strip, (x, y))
            text_mask.paste(text_strip, (x, y))
    # Mask pixel (u, v), taken from the image's centre, comes from the canvas point turned back by ANGLE
    # (the text rises to the right on screen, y down).
    cos, sin, mid = math.cos(math.radians(ANGLE)), math.sin(math.radians(ANGLE)), side / 2
    affine = (cos, -sin, mid - cos * small[0] / 2 + sin * small[1] / 2,
              sin, cos, mid - sin * small[0] / 2 - cos * small[1] / 2)
    masks = tuple(m.transform(small, Image.Transform.AFFINE, affine, resample=Image.Resampling.BILINEAR)
                  for m in (halo_mask, text_mask))
    return masks[0], masks[1]


@functools.lru_cache(maxsize=32)
def _strips(font_px: int) -> tuple[Image.Image, Image.Image, int, int]:
    """The statement drawn once at ``font_px``, as its halo and its text opacity (same size, laid side by
    side without overlapping), and the steps between copies along and across the lines."""
    with _lock:
        font = _font(font_px)
        left, top, right, bottom = font.getbbox(WATERMARK_TEXT)
        stroke = max(1, font_px // 14)
        pad = 2 * stroke
        strip = (right - left + 2 * pad, bottom - top + 2 * pad)
        halo, text = Image.new("L", strip, 0), Image.new("L", strip, 0)
        ImageDraw.Draw(halo).text((pad - left, pad - top), WATERMARK_TEXT, font=font, fill=HALO_OPACITY,
                                  stroke_width=stroke, stroke_fill=HALO_OPACITY)
        ImageDraw.Draw(text).text((pad - left, pad - top), WATERMARK_TEXT, font=font, fill=TEXT_OPACITY)
    return halo, text, strip[0] + 2 * font_px, max(strip[1] + 1, round((bottom - top) * LINE_SPACING))


@functools.lru_cache(maxsize=32)
def _font(font_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), font_px)


def watermarked(kind: str) -> bool:
    """Whether an archived image of ``kind`` carries the watermark."""
    return kind in WATERMARKED_KINDS
