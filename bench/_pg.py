"""What the PostgreSQL benchmarks share: a fresh database of their own, and Django set up on it as in
production (DEBUG off)."""

import os

from _env import bench_env


def recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_on(url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.update(bench_env())  # as in production: no query log
    os.environ.setdefault("SSCARD_VAR_DIR", var_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sscard.config.settings")
    import django

    django.setup()
