"""Every page names its operation of the access table, and a role the table does not list is refused."""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from sscard.staff.permissions import OPERATIONS


def _patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


PAGES = {url: getattr(p.callback, "operation", None) for url, p in _patterns(get_resolver().url_patterns)
         if not url.startswith(("admin/", "api/v1/", "static/", "i18n/"))  # i18n/: Django's set_language
         and url not in ("healthz", "readyz")}  # probes, open by design (config.health)


def test_every_page_names_an_operation_of_the_table():
    assert PAGES, "no pages found"
    unnamed = sorted(url for url, name in PAGES.items() if name is None)
    unknown = sorted((url, name) for url, name in PAGES.items() if name and name not in OPERATIONS)
    assert (unnamed, unknown) == ([], [])


@pytest.mark.django_db
def test_a_page_without_a_session_sends_to_the_sign_in_page(client):
    resp = client.get(reverse("web:start"))
    assert resp.status_code == 302
    assert resp["Location"] == reverse("web:sign_in") + "?next=%2F"


@pytest.mark.django_db
def test_a_user_without_a_staff_record_is_not_signed_in(client):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="nobody", password="demo-pass-123")
    resp = client.post(reverse("web:sign_in"), {"username": "nobody", "password": "demo-pass-123"})
    assert resp.status_code == 400
    assert "用户名或密码错误" in resp.content.decode()
    assert client.get(reverse("web:start")).status_code == 302


@pytest.mark.django_db
def test_an_htmx_request_without_a_session_is_told_to_sign_in(client):
    resp = client.get(reverse("web:start"), headers={"HX-Request": "true"})
    assert resp.status_code == 401
    assert resp["HX-Redirect"].startswith(reverse("web:sign_in"))
