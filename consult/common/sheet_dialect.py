"""The one spreadsheet dialect of every export: what Excel with Italian settings opens as is.

CSV: UTF-8 with a BOM (so Excel reads accents), `;` between cells (Excel in Italian uses `,`
for decimals and opens a double-clicked `;` file in columns), CRLF, dates `dd/mm/yyyy hh:mm`
in Italian time, decimals with the language's separator, yes/no in words. XLSX: real dates and
numbers, column widths, a bold frozen header and an autofilter, written by openpyxl's write-only
workbook so that 100,000 rows stream from disk. Text that a spreadsheet would run as a formula
is neutralised in both.

Columns carry their header already translated and their values already turned into labels:
the caller (a feature's export) does that, this module only writes.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from consult.common.spreadsheets import neutralise

LOCAL_TIME = ZoneInfo("Europe/Rome")
DELIMITER = ";"
BOM = "\ufeff"
DATE_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATE_FORMAT = "dd/mm/yyyy hh:mm"
CHUNK_ROWS = 200
KINDS = ("text", "long-text", "integer", "decimal", "datetime", "boolean")


@dataclass(frozen=True)
class Column:
    """One column: its key in the row dicts, its (translated) header, width and kind."""

    key: str
    header: str
    width: int = 14
    kind: str = "text"


@dataclass(frozen=True)
class Words:
    """What the dialect writes in the user's language: yes, no and the decimal separator."""

    yes: str = "sì"
    no: str = "no"
    decimal: str = ","


ITALIAN = Words()


def local_time(moment: datetime | None) -> datetime | None:
    """A stored time (UTC, naive or aware) as Italian wall-clock time to the minute, naive:
    spreadsheets hold no time zones."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL_TIME).replace(tzinfo=None, second=0, microsecond=0)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if value else None
    return value


def csv_cell(value: Any, column: Column, words: Words) -> str:
    """One CSV cell as the dialect writes it."""
    if value is None or value == "":
        return ""
    if column.kind == "datetime":
        moment = local_time(_as_datetime(value))
        return moment.strftime(DATE_FORMAT) if moment else ""
    if isinstance(value, bool) or column.kind == "boolean":
        return words.yes if value else words.no
    if isinstance(value, float):
        return repr(value).replace(".", words.decimal)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return str(neutralise(str(value)))


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[dict[str, Any]], words: Words = ITALIAN
) -> Iterator[str]:
    """BOM and header first, then rows a few hundred at a time (streamed, memory flat)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    yield BOM + _drain(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(row.get(c.key), c, words) for c in columns])
        if number % CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def to_csv(
    columns: Sequence[Column], rows: Iterable[dict[str, Any]], words: Words = ITALIAN
) -> bytes:
    return "".join(csv_chunks(columns, rows, words)).encode("utf-8")


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _xlsx_value(value: Any, column: Column, words: Words) -> Any:
    if value is None or value == "":
        return None
    if column.kind == "datetime":
        return local_time(_as_datetime(value))
    if column.kind == "boolean":
        return words.yes if value else words.no
    if isinstance(value, int | float):
        return value
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    return neutralise(str(value))


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: title, columns and rows."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[dict[str, Any]]


def write_xlsx(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    file: IO[bytes],
    *,
    sheet_title: str,
    words: Words = ITALIAN,
) -> int:
    """One sheet through the write-only workbook: rows go to disk as they come. Returns the
    number of data rows written."""
    return write_sheets([Sheet(sheet_title, columns, rows)], file, words=words)[0]


def write_sheets(sheets: Sequence[Sheet], file: IO[bytes], *, words: Words = ITALIAN) -> list[int]:
    """Several sheets in one write-only workbook; the data rows written in each."""
    workbook = Workbook(write_only=True)
    counts = [_write_sheet(workbook, sheet, words) for sheet in sheets]
    workbook.save(file)
    return counts


def _write_sheet(workbook: Workbook, spec: Sheet, words: Words) -> int:
    columns = spec.columns
    sheet = workbook.create_sheet(spec.title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in spec.rows:
        cells: list[Any] = []
        for column in columns:
            value = _xlsx_value(row.get(column.key), column, words)
            if column.kind == "datetime" and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = XLSX_DATE_FORMAT
                value = cell
            elif column.kind == "long-text":
                cell = WriteOnlyCell(sheet, value=value)
                cell.alignment = wrap
                value = cell
            cells.append(value)  # plain values stay plain: a styled cell costs more to write
        sheet.append(cells)
        count += 1
    last = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    return count


def to_xlsx(
    columns: Sequence[Column],
    rows: Iterable[dict[str, Any]],
    *,
    sheet_title: str,
    words: Words = ITALIAN,
) -> bytes:
    return sheets_to_xlsx([Sheet(sheet_title, columns, rows)], words=words)


def sheets_to_xlsx(sheets: Sequence[Sheet], *, words: Words = ITALIAN) -> bytes:
    buffer = io.BytesIO()
    write_sheets(sheets, buffer, words=words)
    return buffer.getvalue()


def text_columns(headers: Sequence[str], width: int = 18) -> list[Column]:
    """Plain text columns keyed by position (`c0`, `c1`...), for sheets of free headers."""
    return [Column(f"c{index}", header, width) for index, header in enumerate(headers)]


def positional(rows: Iterable[Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Rows of cells as the dicts `text_columns` reads."""
    for cells in rows:
        yield {f"c{index}": value for index, value in enumerate(cells)}
