"""Fixtures of the batch tests: an employer with one handler."""

import pytest

from sscard.testing import factories as f


@pytest.fixture
def employer(db):
    return f.make_employer()
