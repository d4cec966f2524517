"""Every router of the API, with its URL prefix.  Add new areas here."""

ROUTERS: list = []
