"""Card photos for the tests: a drawn, face-like ID photo that the photo rule's face detector
(``sscard.archive.photo``, OpenCV's frontal-face Haar cascade) finds, and variants of it.

No photograph of a person is committed: the face is drawn with Pillow (hair, an oval face, brows, shaded
eye sockets with dark eyes, a nose, a mouth, neck and shoulders) and softened with a blur, which is what
the cascade's brightness features respond to.  ``photo_bytes()`` with its defaults is a photo that passes
the rule: 358×441 JPEG, white background, one face of about half the photo's width, centred, in the upper
half.  Every call with the same arguments gives the same bytes (cached).  ``real_photo()`` is a real face
(a public-domain NASA portrait, ``archive/samples/README.md``) framed as an ID photo.
"""

import functools
import io

from PIL import Image, ImageDraw, ImageFilter

from sscard.archive.photo import SAMPLE_PHOTO

# A real face (a public-domain NASA portrait, framed as an ID photo): see archive/samples/README.md.
REAL_PHOTO = SAMPLE_PHOTO
WHITE = (255, 255, 255)
SKIN = (215, 180, 150)
HAIR = (30, 25, 20)
COAT = (40, 50, 80)
# One face: (centre x, centre y, width of the drawn face oval), as fractions of the photo's width / height /
# width.  The detector's box is about 1.25 times the drawn oval (it takes in the hair line and the cheeks):
# the default 0.42 makes a box of about 53 % of the photo's width.
CENTRED = (0.5, 0.45, 0.42)


def draw_face(image: Image.Image, centre: tuple[float, float], face_width: float, *,
              shoulders: bool = True) -> None:
    """Draw one face-like head (and shoulders) centred at ``centre`` (pixels), ``face_width`` wide."""
    d = ImageDraw.Draw(image)
    cx, cy = centre
    fw = face_width
    fh = fw * 1.3
    shade = tuple(int(c * 0.75) for c in SKIN)
    if shoulders:
        d.ellipse((cx - fw * 0.9, cy + fh * 0.55, cx + fw * 0.9, cy + fh * 1.6), fill=COAT)
        d.rectangle((cx - fw * 0.18, cy + fh * 0.3, cx + fw * 0.18, cy + fh * 0.7),
                    fill=tuple(c - 20 for c in SKIN))
    d.ellipse((cx - fw * 0.55, cy - fh * 0.58, cx + fw * 0.55, cy + fh * 0.2), fill=HAIR)
    d.ellipse((cx - fw / 2, cy - fh / 2, cx + fw / 2, cy + fh / 2), fill=SKIN)
    d.chord((cx - fw * 0.5, cy - fh * 0.55, cx + fw * 0.5, cy - fh * 0.05), 180, 360, fill=HAIR)
    ew, eh, ey = fw * 0.16, fw * 0.07, cy - fh * 0.05
    for side in (-1, 1):
        ex = cx + side * fw * 0.2
        d.rectangle((ex - ew * 0.7, ey - eh * 2.4, ex + ew * 0.7, ey - eh * 1.6), fill=(50, 40, 30))
        d.ellipse((ex - ew * 0.8, ey - eh * 1.2, ex + ew * 0.8, ey + eh * 1.2), fill=shade)
        d.ellipse((ex - ew * 0.5, ey - eh * 0.6, ex + ew * 0.5, ey + eh * 0.6), fill=(40, 30, 25))
    d.polygon([(cx, ey + eh), (cx - fw * 0.07, cy + fh * 0.13), (cx + fw * 0.07, cy + fh * 0.13)],
              fill=tuple(int(c * 0.85) for c in SKIN))
    my = cy + fh * 0.25
    d.ellipse((cx - fw * 0.16, my - fw * 0.035, cx + fw * 0.16, my + fw * 0.035), fill=(150, 70, 70))


def photo_image(*, size: tuple[int, int] = (358, 441), background=WHITE,
                faces: tuple[tuple[float, float, float], ...] = (CENTRED,)) -> Image.Image:
    """The drawn photo as an RGB image: ``faces`` as (centre x, centre y, face width) fractions."""
    width, height = size
    image = Image.new("RGB", size, background)
    for fx, fy, fw in faces:
        draw_face(image, (fx * width, fy * height), fw * width, shoulders=len(faces) == 1)
    smallest = min((fw * width for _, _, fw in faces), default=width)
    return image.filter(ImageFilter.GaussianBlur(max(1.0, smallest / 50)))  # softened as a lens would


@functools.cache
def photo_bytes(*, size: tuple[int, int] = (358, 441), background=WHITE,
                faces: tuple[tuple[float, float, float], ...] = (CENTRED,), fmt: str = "JPEG",
                mode: str = "RGB", progressive: bool = False) -> bytes:
    """The drawn photo encoded (``fmt`` JPEG or PNG; ``mode`` L or CMYK for other JPEG colour spaces).
    The defaults pass the photo rule; ``faces=()`` is a photo with nobody on it."""
    image = photo_image(size=size, background=background, faces=faces)
    if mode != "RGB":
        image = image.convert(mode)
    out = io.BytesIO()
    options = {"quality": 90, "progressive": progressive} if fmt == "JPEG" else {}
    image.save(out, format=fmt, **options)
    return out.getvalue()


@functools.cache
def real_photo() -> bytes:
    """A real face framed as a 358×441 ID photo on white (public domain, see ``archive/samples/README.md``)."""
    return REAL_PHOTO.read_bytes()
