"""Production settings (SSCARD_DEBUG=0): every secret required, hosts named, `check --deploy` clean, and the
headers, cookies and docs guard as a production process really serves them (each in a subprocess: the
settings are read once per process)."""

import base64
import json
import subprocess
import sys
import textwrap

from sscard.audit import signing
from sscard.config import security
from sscard.testing.environments import ROOT, production_env, random_secret

_secret = random_secret
_GATEWAY = "sscard.notify.gateways.SimulatedGateway"


def _run(args, env, **kw):
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, **kw)


def test_production_refuses_to_start_naming_every_missing_secret_at_once(tmp_path):
    env = production_env(tmp_path, SSCARD_SECRET_KEY=None, SSCARD_FIELD_KEY=None, SSCARD_LOOKUP_KEY=None,
                         SSCARD_PIN_PEPPER=None, SSCARD_AUDIT_SIGNING_KEY=None, SSCARD_ALLOWED_HOSTS=None,
                         SSCARD_SMS_GATEWAY=None, SSCARD_ECARD_KEY=None)
    res = _run(["manage.py", "check"], env)
    assert res.returncode != 0
    for name in ("SSCARD_SECRET_KEY", "SSCARD_FIELD_KEY", "SSCARD_LOOKUP_KEY", "SSCARD_PIN_PEPPER",
                 "SSCARD_AUDIT_SIGNING_KEY", "SSCARD_SMS_GATEWAY", "SSCARD_ALLOWED_HOSTS", "SSCARD_ECARD_KEY"):
        assert name in res.stderr, (name, res.stderr[-2000:])
    assert "8 setting(s) missing or refused" in res.stderr


def test_production_refuses_development_values_and_a_wildcard_host():
    env = {**security.DEV_VALUES, "SSCARD_ALLOWED_HOSTS": "card.example.gov.cn,*", "SSCARD_SMS_GATEWAY": _GATEWAY}
    problems = security.production_problems(env)
    assert len(problems) == 7, problems
    assert all("development" in p for p in problems[:6])
    assert "may not be '*'" in problems[6]


def test_a_node_with_only_the_audit_public_key_starts_but_not_with_the_development_one():
    env = {name: _secret() for name in security.REQUIRED} | {"SSCARD_ALLOWED_HOSTS": "card.example.gov.cn",
                                                             "SSCARD_SMS_GATEWAY": _GATEWAY}
    assert security.production_problems(env | {"SSCARD_AUDIT_VERIFY_KEY": _secret()}) == []
    assert security.production_problems(env | {"SSCARD_AUDIT_SIGNING_KEY": _secret()}) == []
    refused = security.production_problems(env | {"SSCARD_AUDIT_VERIFY_KEY": security.DEV_AUDIT_VERIFY_KEY})
    assert refused == ["SSCARD_AUDIT_VERIFY_KEY is the public key of the development signing key"]


def test_the_refused_development_public_key_is_the_one_of_the_development_seed(settings):
    settings.AUDIT_SIGNING_KEY = security.DEV_VALUES["SSCARD_AUDIT_SIGNING_KEY"]
    settings.AUDIT_VERIFY_KEY = ""
    assert base64.b64encode(signing.public_key_bytes()).decode() == security.DEV_AUDIT_VERIFY_KEY


def test_the_development_defaults_of_settings_are_the_ones_production_refuses(tmp_path):
    # a development process with no secret set: each default it falls back to is in DEV_VALUES
    env = production_env(tmp_path, SSCARD_DEBUG="1", DJANGO_SETTINGS_MODULE="sscard.config.settings",
                         **{name: None for name in security.DEV_VALUES})
    show = ("import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
            "[s.SECRET_KEY, s.FIELD_ENCRYPTION_KEY, s.LOOKUP_HASH_KEY, s.PIN_PEPPER, s.AUDIT_SIGNING_KEY]))")
    res = _run(["-c", show], env)
    assert res.returncode == 0, res.stderr[-2000:]
    assert json.loads(res.stdout.strip().splitlines()[-1]) == [
        security.DEV_VALUES[name] for name in ("SSCARD_SECRET_KEY", "SSCARD_FIELD_KEY", "SSCARD_LOOKUP_KEY",
                                               "SSCARD_PIN_PEPPER", "SSCARD_AUDIT_SIGNING_KEY")]


def test_check_deploy_passes_at_warning_level_with_production_settings(tmp_path):
    res = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert res.returncode == 0, res.stdout + res.stderr
    assert "System check identified no issues" in res.stdout


# A production process answering requests through Django's test client (no server, no database needed for
# these pages); prints what came back as JSON.
PROBE = textwrap.dedent("""
    import json, django
    django.setup()
    from django.test import Client
    c = Client(HTTP_HOST="card.example.gov.cn")
    out = {}
    def record(name, r):
        out[name] = {"status": r.status_code, "headers": dict(r.headers),
                     "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"])}
                                 for k, m in r.cookies.items()}}
    record("http_sign_in", c.get("/sign-in/"))
    record("https_sign_in", c.get("/sign-in/", secure=True))
    record("https_docs", c.get("/api/v1/docs", secure=True))
    record("https_schema", c.get("/api/v1/openapi.json", secure=True))
    record("https_healthz", c.get("/healthz", secure=True))
    record("http_healthz", c.get("/healthz"))
    record("proxied", c.get("/healthz", HTTP_X_FORWARDED_PROTO="https"))
    print(json.dumps(out))
""")


def _probe(tmp_path, **overrides) -> dict:
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="sscard.config.settings", **overrides)
    res = _run(["-c", PROBE], env)
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_a_production_process_sends_https_only_headers_and_secure_cookies_and_hides_the_api_docs(tmp_path):
    out = _probe(tmp_path)
    assert out["http_sign_in"]["status"] == 301
    assert out["http_sign_in"]["headers"]["Location"] == "https://card.example.gov.cn/sign-in/"
    page = out["https_sign_in"]
    assert page["status"] == 200
    headers = page["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]
    assert page["cookies"]["csrftoken"]["secure"] is True
    # the API docs and schema are behind sign-in: the page sends to the sign-in page, the document says 401
    assert out["https_docs"]["status"] == 302
    assert out["https_docs"]["headers"]["Location"].startswith("/sign-in/?next=")
    assert out["https_schema"]["status"] == 401
    # probes answer without sign-in, also over plain HTTP (a load balancer on the node's own address)
    assert out["https_healthz"]["status"] == 200 and out["http_healthz"]["status"] == 200


def test_behind_a_tls_terminating_proxy_the_forwarded_proto_header_counts_as_https(tmp_path):
    out = _probe(tmp_path, SSCARD_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert out["proxied"]["status"] == 200
    assert "Strict-Transport-Security" in out["proxied"]["headers"]  # HSTS is only sent on secure requests
    assert "Strict-Transport-Security" not in out["http_healthz"]["headers"]


def test_production_can_keep_the_api_docs_public_when_configured(tmp_path):
    out = _probe(tmp_path, SSCARD_API_DOCS_PUBLIC="1")
    assert out["https_docs"]["status"] == 200
    assert out["https_schema"]["status"] == 200


def test_production_writes_json_logs_by_default_and_plain_when_asked(tmp_path):
    show = "import django; django.setup(); from django.conf import settings; " \
           "print(settings.LOGGING['formatters']['sscard']['()'])"
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="sscard.config.settings")
    assert _run(["-c", show], env).stdout.strip() == "sscard.core.logs.JsonFormatter"
    assert _run(["-c", show], {**env, "SSCARD_LOG_FORMAT": "plain"}).stdout.strip() == \
        "sscard.core.logs.PlainFormatter"
