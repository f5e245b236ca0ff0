"""URL converters that refuse what the database cannot store or compare.

Werkzeug's ``int`` converter matches any run of digits; an id beyond the 32-bit integer keys
then overflows inside SQLite or PostgreSQL and answers 500. Here such a path does not match: 404.
"""

from werkzeug.routing import IntegerConverter, UnicodeConverter

from consult.common.numbers import ID_MAX


class StoredIdConverter(IntegerConverter):
    """``<int:...>`` limited to the range of a database integer key."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


class TextSegmentConverter(UnicodeConverter):
    """The default path segment without NUL, which PostgreSQL refuses in any text value."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")
