"""Test markers shared by the suites."""

from collections.abc import Iterable
from typing import Any

import pytest


def sampled(values: Iterable[Any], *, fast: int = 2) -> list[Any]:
    """Parameters of a corpus test: the first `fast` run in every tier, the rest are slow."""
    return [
        pytest.param(value, marks=() if index < fast else pytest.mark.slow)
        for index, value in enumerate(values)
    ]
