"""Row ids that come from outside (a URL, a form): read once, so a bad one is "not found", never a 5xx."""

MAX_ID = 2**63 - 1  # the largest BIGINT: a larger number makes the database refuse the query


def row_id(value) -> int | None:
    """``value`` as a primary key, or ``None`` when it cannot be one (not an integer, < 1, too large)."""
    if isinstance(value, bool):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= MAX_ID else None
