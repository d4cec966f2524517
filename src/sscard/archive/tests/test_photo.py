"""The card photo rule (``sscard.archive.photo``): format, size, white background and one centred face of a
reasonable size, every problem named at once with its own code; the raising form; the detector loaded
once and safe to share between threads."""

import io
import threading

import pytest
from PIL import Image

from sscard.archive import photo as photo_rule
from sscard.archive.photo import (
    FACE_MAX_WIDTH,
    FACE_MIN_WIDTH,
    Face,
    face_problems,
    find_faces,
    photo_check,
    photo_problems,
)
from sscard.archive.tests.images import png_claiming
from sscard.core.errors import InvalidInput
from sscard.policy.catalogue import DEFAULT_PATH
from sscard.testing.photos import photo_bytes, real_photo

GREY = (90, 90, 110)
TWO = ((0.27, 0.42, 0.36), (0.73, 0.42, 0.36))
LEFT = ((0.2, 0.45, 0.3),)
LOW = ((0.5, 0.78, 0.3),)
SMALL = ((0.5, 0.4, 0.17),)
LARGE = ((0.5, 0.5, 0.72),)


def _codes(content: bytes, **kw) -> list[str]:
    return [p.code for p in photo_problems(content, **kw)]


def test_a_normal_id_photo_passes():
    content = photo_bytes()
    assert photo_problems(content) == []
    (face,) = find_faces(content, 358, 441)
    assert 0.45 <= face.width / 358 <= 0.65  # the detector's box on a 1-inch photo: about half the width
    photo_check(content)  # quietly


def _real(*, scale: float = 1.0, shift: int = 0) -> bytes:
    """The real ID photo moved sideways or scaled about its centre (on white), re-encoded."""
    real = Image.open(io.BytesIO(real_photo()))
    sized = real.resize((round(358 * scale), round(441 * scale)), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (358, 441), (255, 255, 255))
    canvas.paste(sized, ((358 - sized.width) // 2 + shift, (441 - sized.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=90)
    return out.getvalue()


def test_a_real_face_framed_as_an_id_photo_passes_and_fails_as_it_is_moved():
    """A photograph, not a drawing: the public-domain portrait of testing/samples."""
    assert photo_problems(real_photo()) == []
    (face,) = find_faces(real_photo(), 358, 441)
    assert 0.4 <= face.width / 358 <= 0.6
    assert _codes(_real(shift=-80)) == _codes(_real(shift=80)) == ["PHOTO_FACE_OFF_CENTRE"]
    assert _codes(_real(scale=0.4)) == ["PHOTO_FACE_TOO_SMALL"]
    assert "PHOTO_FACE_TOO_LARGE" in _codes(_real(scale=2.0))


@pytest.mark.parametrize("options", [{"mode": "L"}, {"mode": "CMYK"}, {"progressive": True},
                                     {"faces": ((0.5, 0.38, 0.36),)}, {"faces": ((0.5, 0.52, 0.5),)}])
def test_other_encodings_and_ordinary_framings_pass(options):
    assert _codes(photo_bytes(**options)) == []


@pytest.mark.parametrize(("options", "code"), [
    ({"faces": ()}, "PHOTO_FACE_MISSING"),
    ({"faces": TWO}, "PHOTO_FACE_MULTIPLE"),
    ({"faces": LEFT}, "PHOTO_FACE_OFF_CENTRE"),
    ({"faces": LOW}, "PHOTO_FACE_OFF_CENTRE"),
    ({"faces": SMALL}, "PHOTO_FACE_TOO_SMALL"),
    ({"faces": LARGE}, "PHOTO_FACE_TOO_LARGE"),
    ({"size": (300, 400)}, "PHOTO_SIZE"),
    ({"background": GREY}, "PHOTO_BACKGROUND"),
    ({"background": (255, 255, 150)}, "PHOTO_BACKGROUND"),  # the blue channel too low
    ({"fmt": "PNG"}, "PHOTO_FORMAT"),
])
def test_each_broken_rule_gives_its_own_problem(options, code):
    assert _codes(photo_bytes(**options)) == [code]


def test_the_messages_are_chinese_and_say_what_is_wrong():
    messages = {p.code: p.message for options in ({"faces": ()}, {"faces": TWO}, {"faces": LEFT},
                                                  {"faces": SMALL}, {"faces": LARGE}, {"size": (300, 400)},
                                                  {"background": GREY}, {"fmt": "PNG"})
                for p in photo_problems(photo_bytes(**options))}
    assert "未检测到人脸" in messages["PHOTO_FACE_MISSING"]
    assert "检测到 2 张人脸" in messages["PHOTO_FACE_MULTIPLE"]
    assert "人脸未居中" in messages["PHOTO_FACE_OFF_CENTRE"]
    assert "人脸过小" in messages["PHOTO_FACE_TOO_SMALL"] and "25%" in messages["PHOTO_FACE_TOO_SMALL"]
    assert "人脸过大" in messages["PHOTO_FACE_TOO_LARGE"] and "80%" in messages["PHOTO_FACE_TOO_LARGE"]
    assert messages["PHOTO_SIZE"] == "照片尺寸应为 358×441 像素，实际为 300×400 像素"
    assert messages["PHOTO_BACKGROUND"] == "照片背景应为白色"
    assert messages["PHOTO_FORMAT"] == "照片须为 JPEG 格式"


def test_every_problem_is_listed_at_once():
    content = photo_bytes(size=(300, 400), background=GREY, fmt="PNG", faces=LEFT)
    assert _codes(content) == ["PHOTO_FORMAT", "PHOTO_SIZE", "PHOTO_BACKGROUND", "PHOTO_FACE_OFF_CENTRE"]
    with pytest.raises(InvalidInput) as caught:
        photo_check(content)
    err = caught.value
    assert err.code == "PHOTO_INVALID" and err.status == 400
    assert [p["code"] for p in err.details["problems"]] == _codes(content)
    assert err.message.startswith("照片不符合要求：")
    assert all(p["message"] in err.message for p in err.details["problems"])


def test_the_face_check_can_be_left_out():
    assert _codes(photo_bytes(faces=()), faces=False) == []
    assert _codes(photo_bytes(faces=(), background=GREY), faces=False) == ["PHOTO_BACKGROUND"]
    photo_check(photo_bytes(faces=()), faces=False)


@pytest.mark.parametrize(("content", "code"), [
    (b"", "IMAGE_INVALID"), (b"GIF89a not really", "IMAGE_FORMAT"),
    (png_claiming(30000, 30000), "IMAGE_PIXELS"),
])
def test_an_image_the_archive_refuses_is_that_one_problem(content, code):
    assert _codes(content) == [code]


def test_a_corrupt_stream_is_refused_never_an_exception():
    good = photo_bytes()
    start = good.index(b"\xff\xda")
    broken = good[:start + 20] + b"\xff\xd0\xff\x00" * 40 + good[start + 200:]
    assert "PHOTO_BACKGROUND" in _codes(broken)


def test_the_face_thresholds():
    """The rule on boxes: centre in the middle third and the upper two thirds, width 25-80 %."""
    def face(cx, cy, share):
        width = share * 358
        return Face(cx * 358 - width / 2, cy * 441 - width / 2, width, width)

    def codes(*faces):
        return [p.code for p in face_problems(list(faces), 358, 441)]

    assert codes(face(0.5, 0.45, 0.55)) == []
    assert codes(face(0.34, 0.66, FACE_MIN_WIDTH + 0.01)) == []
    assert codes(face(0.66, 0.2, FACE_MAX_WIDTH - 0.01)) == []
    assert codes(face(0.3, 0.45, 0.5)) == codes(face(0.7, 0.45, 0.5)) == ["PHOTO_FACE_OFF_CENTRE"]
    assert codes(face(0.5, 0.7, 0.5)) == ["PHOTO_FACE_OFF_CENTRE"]
    assert codes(face(0.5, 0.45, FACE_MIN_WIDTH - 0.01)) == ["PHOTO_FACE_TOO_SMALL"]
    assert codes(face(0.5, 0.45, FACE_MAX_WIDTH + 0.01)) == ["PHOTO_FACE_TOO_LARGE"]
    assert codes(face(0.2, 0.8, 0.1)) == ["PHOTO_FACE_OFF_CENTRE", "PHOTO_FACE_TOO_SMALL"]
    assert codes() == ["PHOTO_FACE_MISSING"]
    assert codes(face(0.3, 0.4, 0.3), face(0.7, 0.4, 0.3)) == ["PHOTO_FACE_MULTIPLE"]


def test_the_size_is_the_catalogues(settings, tmp_path):
    edited = tmp_path / "catalogue.toml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    edited.write_text(text.replace("photo_size = [358, 441]", "photo_size = [300, 400]"), encoding="utf-8")
    settings.SSCARD_CATALOGUE_PATH = str(edited)
    assert _codes(photo_bytes(size=(300, 400))) == []
    assert _codes(photo_bytes()) == ["PHOTO_SIZE"]


def test_the_detector_is_loaded_once_and_shared_by_threads():
    photos = [photo_bytes(), photo_bytes(faces=()), photo_bytes(faces=TWO)]
    expected = [_codes(p) for p in photos]
    assert photo_rule._cascade.cache_info().currsize == 1
    results, errors = [], []

    def work():
        try:
            for _ in range(3):
                results.append([_codes(p) for p in photos])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [expected] * 12
    assert photo_rule._cascade.cache_info().currsize == 1


def test_the_test_photo_is_what_its_helper_says():
    image = Image.open(io.BytesIO(photo_bytes()))
    assert (image.format, image.size, image.mode) == ("JPEG", (358, 441), "RGB")
