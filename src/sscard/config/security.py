"""What production must be given before it starts, read from the environment by ``settings``.

With ``SSCARD_DEBUG=0`` every secret must be set, none may be a development value published in the source,
and ``SSCARD_ALLOWED_HOSTS`` must name the hosts (``*`` is refused).  ``refuse_to_start`` names every
missing or refused variable in one message, so an operator fixes them all at once.  No Django imports:
``settings`` calls this while it is being read.
"""

import os
from collections.abc import Mapping

# The development values of the source (settings.py): public, so they protect nothing.
DEV_VALUES = {
    "SSCARD_SECRET_KEY": "dev-only-secret-key-change-me-in-production-0123456789",
    "SSCARD_FIELD_KEY": "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=",
    "SSCARD_LOOKUP_KEY": "dev-only-lookup-hash-key",
    "SSCARD_PIN_PEPPER": "dev-only-pin-pepper",
    "SSCARD_AUDIT_SIGNING_KEY": "ZGV2LW9ubHktYXVkaXQtc2lnbmluZy1rZXktMzJieXQ=",
    "SSCARD_ECARD_KEY": "dev-only-ecard-code-key",
}
# The public key of the development signing seed: a verifier configured with it trusts development heads.
DEV_AUDIT_VERIFY_KEY = "li36lIfLL3SrvSehU6cxdcVCKjy5ChijXgdIKZTE3TA="

REQUIRED = {
    "SSCARD_SECRET_KEY": "Django 的密钥 / Django secret key",
    "SSCARD_FIELD_KEY": "个人信息加密密钥 / AES-256-GCM key of personal data (base64 of 32 bytes)",
    "SSCARD_LOOKUP_KEY": "查询哈希密钥 / HMAC key of the lookup hashes",
    "SSCARD_PIN_PEPPER": "PIN 哈希的 pepper / pepper of the PIN hashes",
    "SSCARD_ECARD_KEY": "电子社保卡码签名密钥 / HMAC key of the e-card codes",
}


def production_problems(environ: Mapping[str, str] = os.environ) -> list[str]:
    """Every variable production lacks or may not use, each with why (empty: fine)."""
    problems = []
    for name, meaning in REQUIRED.items():
        value = environ.get(name, "").strip()
        if not value:
            problems.append(f"{name} is not set ({meaning})")
        elif value == DEV_VALUES[name]:
            problems.append(f"{name} is the public development value ({meaning})")
    # The audit heads: the sequencer's host holds the signing key, every other node (and a verifier) the
    # public key only (docs/OPERATIONS.md); one of them is required, and neither may be the development one.
    signing = environ.get("SSCARD_AUDIT_SIGNING_KEY", "").strip()
    verify = environ.get("SSCARD_AUDIT_VERIFY_KEY", "").strip()
    if not signing and not verify:
        problems.append("SSCARD_AUDIT_SIGNING_KEY (on the sequencer's host) or SSCARD_AUDIT_VERIFY_KEY "
                        "(every other node) is not set (audit tree-head key)")
    if signing == DEV_VALUES["SSCARD_AUDIT_SIGNING_KEY"]:
        problems.append("SSCARD_AUDIT_SIGNING_KEY is the public development value (audit tree-head key)")
    if verify == DEV_AUDIT_VERIFY_KEY:
        problems.append("SSCARD_AUDIT_VERIFY_KEY is the public key of the development signing key")
    # The SMS gateway (notify): named, never defaulted, so a production that forgot it does not "send" the
    # card-ready and loss messages into the simulated gateway's table; a staging site may name the
    # simulated one on purpose.
    if not environ.get("SSCARD_SMS_GATEWAY", "").strip():
        problems.append("SSCARD_SMS_GATEWAY is not set (dotted path of the SMS gateway class; "
                        "sscard.notify.gateways.SimulatedGateway sends nothing to anyone)")
    hosts = [h.strip() for h in environ.get("SSCARD_ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        problems.append("SSCARD_ALLOWED_HOSTS is not set (comma-separated host names this service answers)")
    elif "*" in hosts:
        problems.append("SSCARD_ALLOWED_HOSTS may not be '*' in production (name the hosts)")
    return problems


class ProductionSettingsMissing(RuntimeError):
    pass


def refuse_to_start(problems: list[str]) -> None:
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ProductionSettingsMissing(
            f"SSCARD_DEBUG is off: refusing to start, {len(problems)} setting(s) missing or refused:\n"
            f"{lines}\n"
            "See docs/OPERATIONS.md (Settings) and README (Security).")
