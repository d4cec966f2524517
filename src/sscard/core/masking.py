"""Masks for personal data wherever a role does not need the full value (pages, API, logs, exports)."""


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 2:
        return "*" * len(value)
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 2) + value[-1:]
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    if not value:
        return ""
    return value[:1] + "*" * (len(value) - 1)


def mask_address(value: str | None) -> str:
    if not value:
        return ""
    keep = min(6, max(1, len(value) // 3))
    return value[:keep] + "****"


def mask_card_no(value: str | None) -> str:
    """A social security card number (e.g. ``B12345678``): its first character and last three kept."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:1] + "*" * (len(value) - 4) + value[-3:]
