"""Test data for the hardware tests."""

import datetime as dt

from sscard.hardware.interfaces import IdCardData

WINDOW = "outlet:CQ-YZ-01"
KIOSK = "kiosk:K-001"


def id_card(**overrides) -> IdCardData:
    values = dict(name="张三", id_number="500103199001011234", gender="男", ethnicity="汉",
                  birth_date=dt.date(1990, 1, 1), address="重庆市渝中区解放碑街道1号",
                  issuing_authority="重庆市公安局渝中区分局", valid_until=dt.date(2030, 1, 1),
                  photo_jpeg=b"\xff\xd8\xff\xe0fake")
    values.update(overrides)
    return IdCardData(**values)
