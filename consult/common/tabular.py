"""Reading spreadsheets people actually have: CSV in any common encoding or delimiter, XLSX."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from consult.common.text_rules import _l

MAX_ROWS = 5000
MAX_COLUMNS = 60
CSV_DELIMITERS = (",", ";", "\t")
CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


class TableError(ValueError):
    """A file that cannot be read as a table; `message` is an untranslated Italian text."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass
class Table:
    """Header and data rows of one sheet; `first_row` is the spreadsheet number of rows[0]."""

    headers: list[str]
    rows: list[list[Any]]
    kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    first_row: int = 2


def read_table(data: bytes, filename: str, sheet: str | None = None) -> Table:
    """Read `data` as XLSX (by signature or extension) or else as CSV."""
    if not data.strip():
        raise TableError(_l("Il file è vuoto."))
    lowered = filename.lower()
    if lowered.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(
            _l("Il formato .xls non è supportato: salva il file come .xlsx o .csv e riprova.")
        )
    if data[:4] == b"PK\x03\x04" or lowered.endswith(".xlsx"):
        return read_xlsx(data, sheet)
    return read_csv(data)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode as UTF-8 (with or without BOM), else Windows-1252, else Latin-1 (never fails)."""
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def sniff_delimiter(text: str) -> str:
    """The delimiter giving the most columns consistently over the first records."""
    best, best_score = ",", (0.0, 1)
    for delimiter in CSV_DELIMITERS:
        records = _first_records(text, delimiter, limit=30)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = []
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        return []
    return records


def read_csv(data: bytes) -> Table:
    """Parse CSV bytes; the spreadsheet row numbers of data rows start at 2."""
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TableError(_l("Il file CSV non è leggibile: %(error)s"), error=str(exc)) from exc
    headers, rows = _split_header(records)
    return Table(headers, rows, kind="csv", encoding=encoding, delimiter=delimiter)


def read_xlsx(data: bytes, sheet: str | None) -> Table:
    """Read one sheet (the first unless `sheet` names another) of an XLSX workbook."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(_l("Il file Excel non è leggibile (è un .xlsx valido?).")) from exc
    try:
        names = list(workbook.sheetnames)
        if sheet and sheet not in names:
            raise TableError(_l("Il foglio «%(sheet)s» non esiste nel file."), sheet=sheet)
        chosen = sheet or names[0]
        records = []
        for values in workbook[chosen].iter_rows(values_only=True):
            records.append(["" if v is None else v for v in values[:MAX_COLUMNS]])
            if len(records) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    headers, rows = _split_header(records)
    return Table(headers, rows, kind="xlsx", sheet=chosen, sheets=names)


def _split_header(records: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """First record is the header; trailing empty columns and rows are dropped."""
    if not records or not any(cell_text(v) for v in records[0]):
        raise TableError(_l("Manca la riga di intestazione con i nomi delle colonne."))
    headers = [cell_text(v) for v in records[0]]
    while headers and not headers[-1]:
        headers.pop()
    if len(headers) > MAX_COLUMNS:
        raise TableError(_l("Troppe colonne: al massimo %(max)d."), max=MAX_COLUMNS)
    rows = records[1:]
    while rows and not any(cell_text(v) for v in rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise TableError(_l("Troppe righe: al massimo %(max)d per file."), max=MAX_ROWS)
    headers = [h or f"({index + 1})" for index, h in enumerate(headers)]
    return headers, [list(r[: len(headers)]) + [""] * (len(headers) - len(r)) for r in rows]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()
