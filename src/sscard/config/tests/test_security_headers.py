"""The headers every answer carries: CSP, nosniff, Referrer-Policy, frame denial, `Cache-Control: no-store` on
everything but static files; HSTS on HTTPS when configured (production's values: test_production_settings)."""

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from sscard.core.middleware import NoStoreMiddleware

pytestmark = pytest.mark.django_db


def _csp(res) -> dict[str, list[str]]:
    policy = {}
    for directive in res["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


def test_pages_carry_a_content_security_policy_without_inline_script_or_style():
    policy = _csp(Client().get("/sign-in/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)


def test_every_answer_says_nosniff_same_origin_referrer_and_no_framing(clerk_api):
    for res in (Client().get("/sign-in/"), clerk_api.get("/auth/me"), Client().get("/healthz")):
        assert res["X-Content-Type-Options"] == "nosniff"
        assert res["Referrer-Policy"] == "same-origin"
        assert res["X-Frame-Options"] == "DENY"
        assert res["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_answers_and_pages_are_not_stored(clerk_api, clerk):
    assert clerk_api.get("/auth/me")["Cache-Control"] == "no-store"
    assert clerk_api.get("/requests/NO-SUCH")["Cache-Control"] == "no-store"  # errors too
    assert Client().get("/sign-in/")["Cache-Control"] == "no-store"
    client = Client()
    client.force_login(clerk.user)
    res = client.get("/")
    assert res.status_code in (200, 302)
    assert res["Cache-Control"] == "no-store"


def test_a_view_that_asks_for_caching_is_overruled_but_static_files_are_left_alone(settings):
    def cached(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=3600"
        return response

    middleware = NoStoreMiddleware(cached)
    assert middleware(RequestFactory().get("/api/v1/cards"))["Cache-Control"] == "no-store"
    static = RequestFactory().get(f"/{settings.STATIC_URL.lstrip('/')}web/site.css")
    assert middleware(static)["Cache-Control"] == "max-age=3600"


def test_hsts_on_https_when_configured(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    res = Client().get("/healthz", secure=True)
    assert res["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "Strict-Transport-Security" not in Client().get("/healthz")  # never on plain HTTP


def test_the_ssl_redirect_spares_the_probes(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/sign-in/").status_code == 301
    assert Client().get("/healthz").status_code == 200
