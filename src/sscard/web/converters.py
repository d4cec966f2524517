"""URL converters of the pages: a path segment that can only be what it names (a bad one is a 404)."""


class RequestNoConverter:
    """A business number (业务流水号, ``YW20260302…``): letters, digits and hyphens, at most 24."""

    regex = r"[A-Za-z0-9-]{1,24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
