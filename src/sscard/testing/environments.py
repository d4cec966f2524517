"""Process environments for tests that start the service in a subprocess (settings are read once per
process)."""

import base64
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def random_secret(n: int = 32) -> str:
    return base64.b64encode(os.urandom(n)).decode()


def production_env(var_dir, **overrides) -> dict:
    """``SSCARD_DEBUG=0`` with a fresh random value for every secret; ``NAME=None`` removes a variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSCARD_", "DATABASE_URL", "DJANGO_"))}
    env.update({
        "SSCARD_DEBUG": "0",
        "SSCARD_SECRET_KEY": random_secret(48),
        "SSCARD_FIELD_KEY": random_secret(),
        "SSCARD_LOOKUP_KEY": random_secret(),
        "SSCARD_PIN_PEPPER": random_secret(),
        "SSCARD_ECARD_KEY": random_secret(),
        "SSCARD_AUDIT_SIGNING_KEY": random_secret(),
        "SSCARD_ALLOWED_HOSTS": "card.example.gov.cn,testserver",
        "SSCARD_SMS_GATEWAY": "sscard.notify.gateways.SimulatedGateway",
        "SSCARD_VAR_DIR": str(var_dir),
        "PYTHONPATH": str(ROOT / "src"),
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}
