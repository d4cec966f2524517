"""Every router of the API, with its URL prefix.  Add new areas here."""

ROUTERS: list = []

from sscard.api.auth_router import router as auth_router  # noqa: E402

ROUTERS.append(("/auth", auth_router))

from sscard.api.cards import router as cards_router  # noqa: E402

ROUTERS.append(("/cards", cards_router))

from sscard.api.applications import (  # noqa: E402
    applications_router,
    requests_router,  # noqa: E402
)
from sscard.api.applications import cards_router as issuance_cards_router

ROUTERS.append(("/applications", applications_router))
ROUTERS.append(("/requests", requests_router))
ROUTERS.append(("/cards", issuance_cards_router))

from sscard.api.batches import router as batches_router  # noqa: E402

ROUTERS.append(("/batches", batches_router))

from sscard.api.employers import router as employers_router  # noqa: E402

ROUTERS.append(("/employers", employers_router))

from sscard.api.production import router as production_router  # noqa: E402

ROUTERS.append(("/production", production_router))

from sscard.api.ecard import router as ecard_router  # noqa: E402

ROUTERS.append(("/ecard", ecard_router))
