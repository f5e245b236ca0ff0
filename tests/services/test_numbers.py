"""Numbers people and links send are read within what the database stores, never raising."""

import pytest

from consult.common.numbers import ID_MAX, parse_ids, parse_int


@pytest.mark.parametrize(
    "raw",
    ["²", "١٢", "1e3", "1.5", "", None, " ", "0x10", str(ID_MAX + 1), str(10**30), "-3", True],
)
def test_unreadable_or_out_of_range_numbers_give_the_default(raw):
    assert parse_int(raw, 7) == 7


def test_readable_numbers_within_the_range_are_read():
    assert parse_int(" 12 ", 1) == 12
    assert parse_int(str(ID_MAX), 1) == ID_MAX
    assert parse_int("0", 5, minimum=0) == 0


def test_ids_keep_their_order_and_drop_the_unreadable():
    assert parse_ids(["3", "²", "1", "3", "99999999999", "x"]) == [3, 1]
