"""Rows as the database holds them: a flushed row has an id, a key that must exist is found.

SQLModel types every primary key `int | None` because a row has none until it is flushed;
code that reads rows back (or has flushed them) narrows the type with `stored_id` (the
meetings feature's helper, re-exported here) or these, with a clear error instead of a
silent None when that promise is broken.
"""

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from consult.meetings.services import stored_id

__all__ = ["MissingRowError", "existing", "ids_of", "stored_id"]


class MissingRowError(LookupError):
    """A row that must exist (a job's run, its consultation) is not in the database."""


Row = TypeVar("Row", bound=SQLModel)


def ids_of(rows: Iterable[Any]) -> list[int]:
    """The primary keys of stored rows, in order."""
    return [stored_id(row) for row in rows]


def existing(db: Session, model: type[Row], key: int | None) -> Row:
    """The row of `model` with primary key `key`, which the caller knows exists."""
    row = db.get(model, key) if key is not None else None
    if row is None:
        raise MissingRowError(f"{model.__name__} {key} does not exist")
    return row
