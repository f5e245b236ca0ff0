"""CSV as people save it: UTF-8, UTF-16, Windows-1252, or a file mixing UTF-8 and 1252 lines."""

import codecs
import csv
from collections.abc import Iterator

from consult.common.tables import (
    Notice,
    Table,
    TableError,
    collect_records,
    named_rows,
    split_header,
)
from consult.common.text_rules import _l

CSV_DELIMITERS = (",", ";", "\t")


class Decoded:
    """The file's lines as text, and which (1-based) lines were not valid UTF-8."""

    def __init__(self, lines: list[str], encoding: str, fallback_lines: set[int]) -> None:
        self.lines = lines
        self.encoding = encoding
        self.fallback_lines = fallback_lines


def decode_lines(data: bytes) -> Decoded:
    """Decode by BOM, else UTF-16 by its zero bytes, else UTF-8, else line by line.

    A line that is not valid UTF-8 is read as Windows-1252 (Latin-1 for its 5 unused bytes):
    reading the whole file as 1252 because of one such line would garble every other line
    ("PiÃ¹"), so each line is decided by itself and the rows read as 1252 are named.
    """
    utf16 = _utf16_encoding(data)
    if utf16:
        try:
            return Decoded(data.decode(utf16).splitlines(keepends=True), utf16, set())
        except UnicodeDecodeError as exc:
            raise TableError(_l("Il file in UTF-16 è danneggiato: salvalo di nuovo.")) from exc
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, encoding = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    try:
        return Decoded(data.decode("utf-8").splitlines(keepends=True), encoding, set())
    except UnicodeDecodeError:
        pass
    lines, fallback, utf8_accents = [], set(), False
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
            utf8_accents = utf8_accents or not raw.isascii()
        except UnicodeDecodeError:
            lines.append(_decode_1252(raw))
            fallback.add(number)
    if not utf8_accents:
        return Decoded(lines, "cp1252", set())
    return Decoded(lines, encoding + "+cp1252", fallback)


def _utf16_encoding(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    odd_zeros = sample[1::2].count(0)
    return "utf-16-le" if odd_zeros > sample[0::2].count(0) else "utf-16-be"


def _decode_1252(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter giving the most columns consistently over the first records."""
    best, best_score = ",", (0.0, 1)
    for delimiter in CSV_DELIMITERS:
        records = _first_records(lines, delimiter, limit=30)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_records(lines: list[str], delimiter: str, limit: int) -> list[list[str]]:
    records = []
    try:
        for record in csv.reader(lines[: limit * 4], delimiter=delimiter):
            if any(cell.strip() for cell in record):
                records.append(record)
            if len(records) >= limit:
                break
    except csv.Error:
        return []
    return records


def read_csv(data: bytes) -> Table:
    """Parse CSV bytes; the file's row numbers of data rows start at 2."""
    decoded = decode_lines(data)
    delimiter = sniff_delimiter(decoded.lines)
    fallback_records: list[int] = []
    records = _records(decoded, delimiter, fallback_records)
    try:
        headers, rows, notices = split_header(collect_records(records))
    except csv.Error as exc:
        raise TableError(_l("Il file CSV non è leggibile: %(error)s"), error=str(exc)) from exc
    table = Table(headers, rows, kind="csv", encoding=decoded.encoding, delimiter=delimiter)
    table.notices.extend(notices)
    if fallback_records:
        table.notices.append(_fallback_notice(fallback_records))
    return table


def _records(decoded: Decoded, delimiter: str, fallback_records: list[int]) -> Iterator[list[str]]:
    """Yield records, noting the record number of those with a line read as Windows-1252."""
    reader = csv.reader(decoded.lines, delimiter=delimiter)
    last_line = 0
    for number, record in enumerate(reader, start=1):
        if any(
            line in decoded.fallback_lines for line in range(last_line + 1, reader.line_num + 1)
        ):
            fallback_records.append(number)
        last_line = reader.line_num
        yield record


def _fallback_notice(rows: list[int]) -> Notice:
    return Notice(
        _l(
            "Il file mescola due codifiche: le righe %(rows)s non erano in UTF-8 e sono state "
            "lette come Windows-1252. Controlla accenti e simboli in quelle righe."
        ),
        {"rows": named_rows(rows)},
    )
