"""The environment of a benchmark's processes: production settings (``SSCARD_DEBUG=0``: no query log, the
JSON logs, every security header) with fixed bench keys, so a loader and the server it starts read each
other's encrypted rows, and plain HTTP on 127.0.0.1 (no HTTPS redirect, no secure-only cookies).

The keys are derived from fixed labels: they are not the development values production refuses, and they
protect nothing (bench data is synthetic)."""

import base64
import hashlib


def _key(label: str) -> str:
    return base64.b64encode(hashlib.sha256(f"sscard-bench-{label}".encode()).digest()).decode()


def bench_env() -> dict[str, str]:
    return {
        "SSCARD_DEBUG": "0",
        "SSCARD_SECRET_KEY": _key("secret") + _key("secret-2"),
        "SSCARD_FIELD_KEY": _key("field"),
        "SSCARD_LOOKUP_KEY": _key("lookup"),
        "SSCARD_PIN_PEPPER": _key("pepper"),
        "SSCARD_ECARD_KEY": _key("ecard"),
        "SSCARD_AUDIT_SIGNING_KEY": _key("audit"),
        "SSCARD_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SSCARD_SMS_GATEWAY": "sscard.notify.gateways.SimulatedGateway",
        "SSCARD_SSL_REDIRECT": "0",
        "SSCARD_SECURE_COOKIES": "0",
        "DJANGO_SETTINGS_MODULE": "sscard.config.settings",
    }
