"""Whole numbers from query strings and forms, within what the database stores.

``int()`` accepts "²"? No: it raises on it, while ``str.isdigit()`` says yes; and it accepts
a 30-digit page number that then overflows the OFFSET on PostgreSQL. Every number a person
or a link can send is read here: out of range or unreadable means the default.
"""

import re
from decimal import Decimal, InvalidOperation

# Primary keys are INTEGER on PostgreSQL and SQLite alike.
ID_MAX = 2**31 - 1
_ASCII_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")


def parse_int(raw: object, default: int, *, minimum: int = 1, maximum: int = ID_MAX) -> int:
    """`raw` as an int within [minimum, maximum], else `default` (never an exception)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and _ASCII_INTEGER.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        return default
    return value if minimum <= value <= maximum else default


def parse_ids(raws: list[str]) -> list[int]:
    """The readable stored ids among `raws`, in order, without repeats."""
    ids = (parse_int(raw, 0) for raw in raws)
    return list(dict.fromkeys(value for value in ids if value))


_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?")
_POINT_DECIMAL = re.compile(r"[+-]?[0-9]+\.[0-9]+")


def parse_decimal_text(raw: str) -> Decimal | None:
    """A decimal number as people type it: `55,4` and `55.4` are 55.4, `1.117,9` is 1117.9
    (points group thousands when a comma marks the decimals, or in groups of three), spaces
    are ignored; None when it is not a number."""
    text = re.sub(r"[\s\u00a0\u202f']", "", raw or "")
    if not text:
        return None
    if _POINT_DECIMAL.fullmatch(text) and not re.fullmatch(r"[+-]?[0-9]{1,3}\.[0-9]{3}", text):
        normalised = text
    elif _DECIMAL_TEXT.fullmatch(text):
        normalised = text.replace(".", "").replace(",", ".")
    else:
        return None
    try:
        return Decimal(normalised)
    except InvalidOperation:
        return None
