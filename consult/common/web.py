"""Small helpers every feature's views share."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    """Only follow same-site relative paths, never an open redirect."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("public.home")


# Primary keys are PostgreSQL integers: a larger number names no row, and must get a 404 or a
# form error, never reach the database (which fails on it: a 500).
MAX_ROW_ID = 2**31 - 1
# The URL converter for a row's number: `@bp.get(f"/<{ROW_ID}:response_id>")`.
ROW_ID = f"int(min=1, max={MAX_ROW_ID})"


def row_id(text: str | None) -> int | None:
    """A row number typed in a query string (ASCII digits, in range), else None."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ROW_ID else None
