"""The schedules: defaults, overrides from settings, and the refusals of a wrong setting (at start, by
``manage.py check``)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from sscard.retention.checks import retention_settings
from sscard.retention.schedules import KINDS, SCHEDULES, current


def test_defaults_cover_every_kind_and_the_audit_minimum_is_six_months(settings):
    settings.SSCARD_RETENTION = {}
    s = current()
    assert set(s.days) == set(KINDS) and len(SCHEDULES) == len(KINDS)
    assert s.days["evidence_images"] == 30 * 365 and s.days["refused_applications"] == 180
    assert s.audit_min_days == 180


def test_an_override_changes_one_kind(settings):
    settings.SSCARD_RETENTION = {"tokens": 7}
    s = current()
    now = dt.datetime(2026, 1, 10, tzinfo=dt.timezone.utc)
    assert s.days["tokens"] == 7 and s.cutoff("tokens", now) == now - dt.timedelta(days=7)
    assert s.days["sessions"] == 0


@pytest.mark.parametrize(("overrides", "audit_min", "match"), [
    ({"drafts": 3}, 180, "unknown kinds"),
    ({"tokens": -1}, 180, "whole number"),
    ({"tokens": "30"}, 180, "whole number"),
    ({"access_log": 100}, 180, "audit record"),
    ({}, 90, "at least 180"),
])
def test_wrong_settings_are_refused(settings, overrides, audit_min, match):
    settings.SSCARD_RETENTION = overrides
    settings.SSCARD_AUDIT_MIN_RETENTION_DAYS = audit_min
    with pytest.raises(ImproperlyConfigured, match=match):
        current()
    [error] = retention_settings()
    assert error.id == "sscard.retention.E001"


def test_the_check_passes_with_the_defaults(settings):
    settings.SSCARD_RETENTION = {}
    assert retention_settings() == []
    call_command("check")
