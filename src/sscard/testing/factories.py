"""Test factories: outlets, staff, kiosks, citizens, persons, cards, images, and an API client.

Used by every app's tests through the fixtures in the root ``conftest.py``.
"""

import base64
import datetime as dt
import io
import itertools
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from PIL import Image

from sscard.cards.models import Card
from sscard.core import clock
from sscard.employers.models import Employer, EmployerHandler
from sscard.employers.rules import make_uscc
from sscard.people.models import Person
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, Outlet, StaffMember
from sscard.testing.photos import photo_bytes

_seq = itertools.count(1)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number_for(birth: dt.date, *, area: str = "500103", serial: int | None = None, female: bool = False) -> str:
    """A valid 18-digit resident ID number (GB 11643) for a birth date."""
    serial = next(_seq) % 500 if serial is None else serial
    order = serial * 2 + (0 if female else 1)
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    total = sum(int(c) * w for c, w in zip(body, _WEIGHTS))
    return body + "10X98765432"[total % 11]


def adult_birth() -> dt.date:
    return dt.date(1985, 6, 15)


def minor_birth() -> dt.date:
    return clock.today().replace(year=clock.today().year - 8)


def make_outlet(**kw):
    n = next(_seq)
    defaults = dict(code=f"CQ-T-{n:03d}", name=f"测试网点{n}", district="渝中区", level="district")
    defaults.update(kw)
    return Outlet.objects.create(**defaults)


def make_staff(role: str, outlet=None, *, username: str | None = None, password: str = "demo-pass-123"):
    username = username or f"{role}{next(_seq)}"
    user = get_user_model().objects.create_user(username=username, password=password)
    return StaffMember.objects.create(user=user, role=role, outlet=outlet, display_name=f"{role}-{username}")


def make_person(*, birth_date: dt.date | None = None, name: str = "张三", phone: str = "13800138000",
                address: str = "重庆市渝中区解放碑街道1号", id_number: str | None = None, fee_exempt: bool = False):
    birth_date = birth_date or adult_birth()
    now = clock.now()
    p = Person(name=name, id_type="id_card", birth_date=birth_date, gender="M", ethnicity="汉族",
               address=address, fee_exempt=fee_exempt, created_at=now, updated_at=now)
    p.set_id_number(id_number or id_number_for(birth_date))
    p.set_phone(phone)
    p.save()
    return p


def make_card(person, *, state: str = "active", origin_channel: str = "window", card_no: str | None = None):
    now = clock.now()
    return Card.objects.create(
        card_no=card_no or f"B{next(_seq) + 10_000_000:08d}"[:9], identification_code="0" * 32, person=person,
        state=state, state_changed_at=now, origin_channel=origin_channel, made_at=now, issued_at=now,
        activated_at=now if state != "made" else None,
    )


def make_kiosk(outlet, code: str | None = None):
    return KioskDevice.objects.create(code=code or f"K-{next(_seq):04d}", outlet=outlet)


def make_citizen(person, password: str = "app-pass-123"):
    return CitizenAccount.objects.create(person=person, password_hash=make_password(password), created_at=clock.now())


def token_for(*, staff=None, kiosk=None, citizen=None) -> str:
    raw = ApiToken.new_raw_token()
    kind = "staff" if staff else "kiosk" if kiosk else "citizen"
    ApiToken.objects.create(token_hash=ApiToken.hash_token(raw), kind=kind, staff=staff, kiosk=kiosk,
                            citizen=citizen, created_at=clock.now())
    return raw


def jpeg_bytes(width: int = 358, height: int = 441, color=(255, 255, 255)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def b64_jpeg(**kw) -> str:
    return base64.b64encode(jpeg_bytes(**kw)).decode("ascii")


def b64_photo(**kw) -> str:
    """A card photo that passes the photo rule (``sscard.testing.photos.photo_bytes``), base64."""
    return base64.b64encode(photo_bytes(**kw)).decode("ascii")


class ApiClient:
    """A test client that calls the JSON API with a bearer token and JSON bodies."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra):
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def post(self, path: str, body: dict | None = None, headers: dict | None = None):
        return self.client.post(f"/api/v1{path}", data=json.dumps(body or {}), content_type="application/json",
                                headers=self._headers(headers))

    def get(self, path: str, headers: dict | None = None, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(headers))


def window_evidence(*, signature: bool = True) -> dict:
    """A complete set of window evidence images (credential, scene, signature)."""
    ev = {"credential_images": [b64_jpeg()], "scene_image": b64_jpeg(width=640, height=480)}
    if signature:
        ev["signature_image"] = b64_jpeg(width=400, height=200)
    return ev


def make_employer(*, name: str = "重庆测试科技有限公司", uscc: str | None = None, handler=None):
    """An employer with one active handler (an adult person); returns ``(employer, handler_person)``."""
    uscc = uscc or make_uscc(body8=f"MA{next(_seq):06d}")
    employer = Employer.objects.create(uscc=uscc, name=name, created_at=clock.now())
    handler = handler or make_person(name="赵经办")
    EmployerHandler.objects.create(employer=employer, person=handler, created_at=clock.now())
    return employer, handler
