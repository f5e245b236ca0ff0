"""Decimal numbers as people type them in Italian forms."""

from decimal import Decimal

import pytest

from consult.common.numbers import parse_decimal_text


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("55,4", Decimal("55.4")),
        ("55.4", Decimal("55.4")),
        (" 94,6 ", Decimal("94.6")),
        ("1.117,9", Decimal("1117.9")),
        ("1.117", Decimal("1117")),
        ("12.000.000", Decimal("12000000")),
        ("1 117,9", Decimal("1117.9")),
        ("0,25", Decimal("0.25")),
        ("-3,5", Decimal("-3.5")),
        ("1117", Decimal("1117")),
    ],
)
def test_comma_point_and_groups(typed, value):
    assert parse_decimal_text(typed) == value


@pytest.mark.parametrize(
    "typed", ["", "  ", "abc", "55,4,1", "5,5.5", "1.11,5", "km 3", "NaN", "1e5", ","]
)
def test_garbage_is_not_a_number(typed):
    assert parse_decimal_text(typed) is None
