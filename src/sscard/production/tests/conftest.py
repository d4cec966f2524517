"""Fixtures of the production tests: an administrator's API client (the employer comes from
``sscard.testing.fixtures.employers``)."""

import pytest


@pytest.fixture
def admin_api(staff_api):
    return staff_api("admin")
