"""XLSX read in bounded time and memory: the archive and its XML are measured before parsing.

openpyxl in read-only mode streams rows, but it still builds a whole row at once, loads every
shared string, and pads rows to the sheet's declared dimension; so the archive's uncompressed
size, the shared strings and the chosen sheet's rows and cells are counted first with a
streaming XML pass that stops at the first cap passed, and the declared dimension is never used.
"""

import io
import logging
import zipfile
import zlib
from typing import Any
from xml.etree.ElementTree import ParseError, iterparse

from consult.common.tables import MAX_ROWS, Table, TableError, collect_records, split_header
from consult.common.text_rules import _l

log = logging.getLogger(__name__)
MAX_UNCOMPRESSED = 80 * 1024 * 1024
MAX_CELLS = 400_000
MAX_ROW_CELLS = 16_384  # Excel's own column limit: a longer row is not a real spreadsheet
MAX_ROW_ELEMENTS = 20 * MAX_ROWS
MAX_SHARED_STRINGS = 300_000
WORKBOOK_PART = "xl/workbook.xml"
UNREADABLE = _l("Il file Excel non è leggibile (è un .xlsx valido?).")
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def read_xlsx(data: bytes, sheet: str | None) -> Table:
    """Read one sheet (the first unless `sheet` names another) of an XLSX workbook."""
    archive = _open_archive(data)
    try:
        _check_shared_strings(archive)
        return _read_sheet(data, archive, sheet)
    except TableError:
        raise
    except ARCHIVE_ERRORS as exc:
        raise TableError(
            _l("Il file Excel è incompleto o danneggiato: salvalo di nuovo e riprova.")
        ) from exc
    except Exception as exc:  # a malformed file must never become a server error
        log.info("unreadable xlsx: %r", exc)
        raise TableError(UNREADABLE) from exc
    finally:
        archive.close()


def _open_archive(data: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # BadZipFile, OSError, and struct or value errors of odd headers
        raise TableError(
            _l("Il file non è un .xlsx valido: è incompleto oppure non è un file Excel.")
        ) from exc
    names = set(archive.namelist())
    if WORKBOOK_PART not in names:
        archive.close()
        raise TableError(_l("L'archivio non contiene una cartella di lavoro Excel."))
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_UNCOMPRESSED:
        archive.close()
        raise TableError(
            _l("Il file Excel decompresso supera %(max)d MB: dividilo in più file."),
            max=MAX_UNCOMPRESSED // 1048576,
        )
    return archive


def _check_shared_strings(archive: zipfile.ZipFile) -> None:
    """Refuse more shared strings than cells we would read, declared or actual."""
    for name in archive.namelist():
        if not name.lower().endswith("sharedstrings.xml"):
            continue
        count = 0
        for event, element in _elements(archive, name):
            if event == "start" and _local(element.tag) == "sst":
                declared = _int(element.get("uniqueCount")) or 0
                if declared > MAX_SHARED_STRINGS:
                    _too_many_strings()
            elif event == "end" and _local(element.tag) == "si":
                count += 1
                element.clear()
                if count > MAX_SHARED_STRINGS:
                    _too_many_strings()


def _too_many_strings() -> None:
    raise TableError(
        _l("Il file Excel contiene più di %(max)d testi diversi: dividilo in più file."),
        max=MAX_SHARED_STRINGS,
    )


def _check_sheet(archive: zipfile.ZipFile, part: str) -> None:
    """Count the sheet's rows and cells, stopping at the first cap passed."""
    rows = cells = row_cells = 0
    for event, element in _elements(archive, part):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                rows, row_cells = rows + 1, 0
                if rows > MAX_ROW_ELEMENTS:
                    raise TableError(_l("Il foglio ha più di %(max)d righe."), max=MAX_ROW_ELEMENTS)
            elif tag == "c":
                cells, row_cells = cells + 1, row_cells + 1
                if row_cells > MAX_ROW_CELLS:
                    raise TableError(
                        _l("Una riga del foglio ha più di %(max)d celle."), max=MAX_ROW_CELLS
                    )
                if cells > MAX_CELLS:
                    raise TableError(
                        _l("Il foglio ha troppe celle (al massimo %(max)d): dividilo."),
                        max=MAX_CELLS,
                    )
        elif tag in ("row", "c"):
            element.clear()


def _elements(archive: zipfile.ZipFile, part: str):
    """Stream the part's XML elements; a DOCTYPE (entity tricks) or bad XML is refused."""
    with archive.open(part) as stream:
        if b"<!DOCTYPE" in stream.read(4096).upper():
            raise TableError(UNREADABLE)
    with archive.open(part) as stream:
        try:
            yield from iterparse(stream, events=("start", "end"))
        except ParseError as exc:
            raise TableError(
                _l("Il file Excel è danneggiato (XML non valido in %(part)s)."), part=part
            ) from exc


def _read_sheet(data: bytes, archive: zipfile.ZipFile, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises anything on a malformed part; none may be a 500
        log.info("unreadable xlsx: %r", exc)
        raise TableError(UNREADABLE) from exc
    try:
        names = list(workbook.sheetnames)
        if not names:
            raise TableError(_l("Il file Excel non contiene fogli."))
        if sheet and sheet not in names:
            raise TableError(_l("Il foglio «%(sheet)s» non esiste nel file."), sheet=sheet)
        chosen = sheet or names[0]
        worksheet: Any = workbook[chosen]
        _check_sheet(archive, worksheet._worksheet_path)  # the part openpyxl will stream
        worksheet.reset_dimensions()  # never pad rows to a declared (maybe absurd) size
        records = collect_records(worksheet.iter_rows(values_only=True))
    except (TableError, *ARCHIVE_ERRORS):
        raise
    except Exception as exc:
        log.info("unreadable xlsx sheet: %r", exc)
        raise TableError(UNREADABLE) from exc
    finally:
        workbook.close()
    headers, rows, notices = split_header(records)
    return Table(headers, rows, kind="xlsx", sheet=chosen, sheets=names, notices=notices)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None
