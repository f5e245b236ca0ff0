"""Whole numbers from query strings and forms, within what the database stores.

``int()`` accepts "²"? No: it raises on it, while ``str.isdigit()`` says yes; and it accepts
a 30-digit page number that then overflows the OFFSET on PostgreSQL. Every number a person
or a link can send is read here: out of range or unreadable means the default.
"""

import re

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
