"""core.ids.row_id: an id from outside is an int the database can take, or None."""

import pytest

from sscard.core.ids import MAX_ID, row_id


@pytest.mark.parametrize("value, expected", [(1, 1), ("42", 42), (MAX_ID, MAX_ID), (MAX_ID + 1, None), (0, None),
                                             (-3, None), ("abc", None), (None, None), (True, None), ("4.5", None)])
def test_row_id(value, expected):
    assert row_id(value) == expected
