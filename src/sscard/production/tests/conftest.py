"""Fixtures of the production tests: an employer with one handler, an administrator's API client."""

import pytest

from sscard.testing import factories as f


@pytest.fixture
def employer(db):
    return f.make_employer()


@pytest.fixture
def admin_api(staff_api):
    return staff_api("admin")
