"""The admin opens for the demo superuser, and never shows personal data in clear."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

PAGES = ["staff/outlet", "staff/staffmember", "staff/kioskdevice", "staff/citizenaccount", "staff/apitoken",
         "people/person", "cards/card", "cards/cardstatechange", "desk/servicerequest"]


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser(username="root", password="demo-pass-123")
    client = Client()
    client.force_login(user)
    return client


# not named "page": that is pytest-playwright's fixture, and taking it would make this a browser test
# (parametrized by browser, reordered among the transactional browser tests that flush the database)
@pytest.mark.parametrize("changelist", PAGES)
def test_changelists_open(admin_client, changelist):
    res = admin_client.get(f"/admin/{changelist}/")
    assert res.status_code == 200


def test_person_pages_show_masks_only(admin_client, adult):
    f.make_card(adult)
    listing = admin_client.get("/admin/people/person/").content.decode()
    detail = admin_client.get(f"/admin/people/person/{adult.pk}/change/").content.decode()
    for page in (listing, detail):
        assert adult.id_number not in page
        assert "13800138000" not in page
        assert adult.masked_id_number in page
    assert "重庆市渝中区解放碑街道1号" not in detail


def test_person_search_by_full_id_number(admin_client, adult):
    other = f.make_person(name="李四")
    found = admin_client.get("/admin/people/person/", {"q": adult.id_number}).content.decode()
    assert f"/admin/people/person/{adult.pk}/change/" in found
    assert f"/admin/people/person/{other.pk}/change/" not in found


def test_cards_cannot_be_edited_in_the_admin(admin_client, adult):
    card = f.make_card(adult)
    res = admin_client.post(f"/admin/cards/card/{card.pk}/change/", {"state": "cancelled"})
    assert res.status_code in (200, 403)
    card.refresh_from_db()
    assert card.state == "active"
    assert admin_client.get("/admin/cards/card/add/").status_code == 403
