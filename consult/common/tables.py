"""A sheet read from a file: header, data rows as text, the caps every reader obeys."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from consult.common.text_rules import _l

MAX_ROWS = 5000
MAX_COLUMNS = 60
# Rows read past the last one with data (empty rows between data count; trailing ones do not).
MAX_ROW_SPAN = 20 * MAX_ROWS
# Cells kept per row while reading: enough to notice a header wider than MAX_COLUMNS.
SCAN_COLUMNS = 4 * MAX_COLUMNS
NAMED_ROWS = 20  # rows named in a notice; the rest are counted


class TableError(ValueError):
    """A file that cannot be read as a table; `message` is an untranslated Italian text."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass
class Notice:
    """Something the reader decided for the user, shown before the import (untranslated)."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    """Header and data rows (all text) of one sheet; `first_row` is the file's number of rows[0]."""

    headers: list[str]
    rows: list[list[str]]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    first_row: int = 2
    notices: list[Notice] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Table":
        notices = [Notice(**n) for n in data.pop("notices", [])]
        return cls(**data, notices=notices)


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: dates in ISO form, midnight datetimes as dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def collect_records(records: Iterable[Iterable[Any]]) -> list[list[str]]:
    """Keep records as text within the caps, stopping as soon as a cap is passed.

    Empty records cost nothing until a later record has data, so the million formatted but
    empty rows a spreadsheet may carry are never stored; data far below them is refused.
    """
    kept: list[list[str]] = []
    filled = pending_blank = 0
    for record in records:
        cells = [cell_text(v) for _, v in zip(range(SCAN_COLUMNS), record, strict=False)]
        if not any(cells):
            pending_blank += 1
            continue
        if len(kept) + pending_blank >= MAX_ROW_SPAN:
            raise TableError(
                _l("Ci sono dati oltre la riga %(max)d: il file è troppo lungo."), max=MAX_ROW_SPAN
            )
        kept.extend([] for _ in range(pending_blank))
        pending_blank = 0
        kept.append(cells)
        filled += 1
        if filled > MAX_ROWS + 1:
            raise TableError(_l("Troppe righe: al massimo %(max)d per file."), max=MAX_ROWS)
    return kept


def split_header(records: list[list[str]]) -> tuple[list[str], list[list[str]], list[Notice]]:
    """First record is the header; trailing empty columns are dropped, rows fit the header.

    Text in a row beyond the header's last column would be lost, so those rows are named.
    """
    if not records or not any(records[0]):
        raise TableError(_l("Manca la riga di intestazione con i nomi delle colonne."))
    headers = list(records[0])
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise TableError(_l("Troppe colonne: al massimo %(max)d."), max=MAX_COLUMNS)
    headers = [h or f"({index + 1})" for index, h in enumerate(headers)]
    width = len(headers)
    rows = [r[:width] + [""] * (width - len(r)) for r in records[1:]]
    beyond = [n for n, r in enumerate(records[1:], start=2) if any(r[width:])]
    return headers, rows, [_beyond_notice(beyond)] if beyond else []


def named_rows(rows: list[int]) -> str:
    """Row numbers for a message: the first NAMED_ROWS, then how many more."""
    named = ", ".join(str(r) for r in rows[:NAMED_ROWS])
    if len(rows) > NAMED_ROWS:
        named += f" (+{len(rows) - NAMED_ROWS})"
    return named


def _beyond_notice(rows: list[int]) -> Notice:
    return Notice(
        _l(
            "Le righe %(rows)s hanno testo in colonne senza intestazione, che non verrà "
            "importato: aggiungi un nome alla colonna nella prima riga e ricarica il file."
        ),
        {"rows": named_rows(rows)},
    )
