"""Settings of the status-query benchmark's server: the project's own settings (DEBUG off, set by
``bench/status_query.py``), with the bench URLconf that adds the bare lookup view.  Bench only."""

from sscard.config.settings import *  # noqa: F403

ROOT_URLCONF = "status_urls"
