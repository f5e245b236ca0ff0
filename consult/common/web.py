"""Small helpers every feature's views share."""

from urllib.parse import urlsplit

from flask import url_for

from consult.common.numbers import ID_MAX, parse_int


def safe_next(target: str | None) -> str:
    """Only follow same-site relative paths, never an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("public.home")


# Primary keys are PostgreSQL integers: a larger number names no row, and must get a 404 or a
# form error, never reach the database (which fails on it: a 500). Every `<int:...>` route is
# bounded by consult.routing; query strings and forms read numbers with common.numbers.
MAX_ROW_ID = ID_MAX


def row_id(text: str | None) -> int | None:
    """A row number typed in a query string (ASCII digits, in range), else None."""
    value = parse_int(text, 0)
    return value or None
