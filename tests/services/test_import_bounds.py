"""Reading import files within bounds: every malformed kind is a clear TableError, never a crash."""

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from consult.common import tables, xlsx_reader
from consult.common.tabular import TableError, read_table

GOOD = "Servono più posti nei centri diurni per anziani."


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rezip(data: bytes, replace: dict[str, bytes] | None = None, drop=()) -> bytes:
    """The same workbook with some parts replaced or removed."""
    replace = replace or {}
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in drop:
                target.writestr(name, replace.get(name, source.read(name)))
        for name, body in replace.items():
            if name not in source.namelist():
                target.writestr(name, body)
    return out.getvalue()


def _sheet(body: str, dimension: str = "A1:B2") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()


SHEET = "xl/worksheets/sheet1.xml"
BASE = _xlsx([["Testo", "Territorio"], [GOOD, "Torino"]])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (BASE[: len(BASE) // 2], "non è un .xlsx valido"),  # truncated upload
        (b"Testo\nnon sono un foglio Excel\n", "non è un .xlsx valido"),  # not a zip
        (_rezip(BASE, drop=("xl/workbook.xml",)), "non contiene una cartella di lavoro"),
        (_rezip(BASE, {SHEET: b"<worksheet><sheetData><row>"}), "non è leggibile|XML non"),
        (_rezip(BASE, {"xl/sharedStrings.xml": b"<sst><si><t>a</si>"}), "XML non valido"),
        (_rezip(BASE, {"xl/workbook.xml": b"<workbook"}), "non è leggibile"),
        (
            _rezip(BASE, {SHEET: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x/>'}),
            "non è leggibile",
        ),
    ],
    ids=[
        "truncated",
        "not-a-zip",
        "no-workbook",
        "bad-sheet-xml",
        "bad-strings-xml",
        "bad-workbook-xml",
        "doctype",
    ],
)
def test_malformed_xlsx_is_refused_with_a_reason(data, message):
    with pytest.raises(TableError, match=message):
        read_table(data, "verbale.xlsx")


def test_a_corrupted_part_inside_a_valid_zip_is_refused():
    data = bytearray(BASE)
    start = data.index(b"xl/worksheets/sheet1.xml") + 40  # inside the part's compressed bytes
    data[start : start + 60] = b"\x00" * 60
    with pytest.raises(TableError):
        read_table(bytes(data), "verbale.xlsx")


def test_a_huge_declared_dimension_is_not_used_to_pad_rows():
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Testo</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{GOOD}</t></is></c></row>'
    )
    data = _rezip(BASE, {SHEET: _sheet(body, dimension="A1:XFD1048576")})
    started = time.perf_counter()
    table = read_table(data, "verbale.xlsx")
    assert time.perf_counter() - started < 2
    assert table.headers == ["Testo"] and table.rows == [[GOOD]]


def test_one_row_wider_than_excel_allows_is_refused_before_parsing():
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(16_385))
    data = _rezip(BASE, {SHEET: _sheet(f'<row r="1">{cells}</row>')})
    with pytest.raises(TableError, match="più di 16384 celle"):
        read_table(data, "verbale.xlsx")


def test_too_many_cells_in_all_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_CELLS", 10)
    rows = [["Testo", "Territorio"]] + [[GOOD + str(i), "Torino"] for i in range(6)]
    with pytest.raises(TableError, match="troppe celle"):
        read_table(_xlsx(rows), "verbale.xlsx")


def test_too_many_row_elements_are_refused(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_ROW_ELEMENTS", 5)
    body = "".join(f'<row r="{n}"/>' for n in range(1, 10))
    with pytest.raises(TableError, match="più di 5 righe"):
        read_table(_rezip(BASE, {SHEET: _sheet(body)}), "verbale.xlsx")


def test_shared_strings_are_counted_both_declared_and_actual(monkeypatch):
    sst = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="9" uniqueCount="{declared}">' + "<si><t>a</t></si>" * 9 + "</sst>"
    )
    part = "xl/sharedStrings.xml"
    declared_lie = _rezip(BASE, {part: sst.format(declared=50_000_000).encode()})
    with pytest.raises(TableError, match="testi diversi"):
        read_table(declared_lie, "verbale.xlsx")
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", 5)
    actual = _rezip(BASE, {part: sst.format(declared=1).encode()})
    with pytest.raises(TableError, match="più di 5 testi diversi"):
        read_table(actual, "verbale.xlsx")


def test_a_zip_bomb_is_refused_by_its_uncompressed_size(monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_UNCOMPRESSED", 1_000_000)
    bomb = _rezip(BASE, {"xl/media/padding.bin": b"\x00" * 2_000_000})
    assert len(bomb) < 20_000
    with pytest.raises(TableError, match="decompresso supera"):
        read_table(bomb, "verbale.xlsx")


def test_trailing_formatted_rows_cost_nothing_but_data_far_below_is_refused():
    body = '<row r="1"><c t="inlineStr"><is><t>Testo</t></is></c></row><row r="1048576"/>'
    table = read_table(_rezip(BASE, {SHEET: _sheet(body)}), "verbale.xlsx")
    assert table.rows == []
    far = f'<row r="{tables.MAX_ROW_SPAN + 5}"><c t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(TableError, match="oltre la riga"):
        read_table(_rezip(BASE, {SHEET: _sheet(body.replace('<row r="1048576"/>', far))}), "a.xlsx")


def test_utf16_with_bom_is_read():
    data = f"Testo\tTerritorio\r\n{GOOD}\tTorino\r\n".encode("utf-16")
    table = read_table(data, "verbale.csv")
    assert table.encoding == "utf-16" and table.rows == [[GOOD, "Torino"]]


def test_utf16_without_bom_is_recognised_by_its_zero_bytes():
    data = f"Testo;Territorio\r\n{GOOD};Torino\r\n".encode("utf-16-le")
    table = read_table(data, "verbale.csv")
    assert table.encoding == "utf-16-le" and table.rows == [[GOOD, "Torino"]]


def test_damaged_utf16_is_refused():
    data = "Testo\r\nciao".encode("utf-16-le") + b"\x00\xd8"  # a lone surrogate
    with pytest.raises(TableError, match="UTF-16"):
        read_table(data, "verbale.csv")


def test_mixed_utf8_and_1252_lines_are_decided_per_line_and_named():
    data = (
        b"Testo;Territorio\r\n"
        + "Più posti nei centri diurni;Torino\r\n".encode()
        + "Perché non c'è un servizio più vicino?;Cuneo\r\n".encode("cp1252")
        + '"Città più verde,\r\ncon più alberi";Asti\r\n'.encode("cp1252")
    )
    table = read_table(data, "verbale.csv")
    assert table.rows[0][0] == "Più posti nei centri diurni"  # not "PiÃ¹"
    assert table.rows[1][0] == "Perché non c'è un servizio più vicino?"
    assert table.rows[2][0] == "Città più verde,\r\ncon più alberi"
    assert table.encoding == "utf-8+cp1252"
    (notice,) = table.notices
    assert notice.params == {"rows": "3, 4"}
    assert "Windows-1252" in notice.message


def test_a_whole_1252_file_has_no_notice():
    data = "Testo\r\nPerché non c'è un servizio più vicino?\r\n".encode("cp1252")
    table = read_table(data, "verbale.csv")
    assert table.encoding == "cp1252" and table.notices == []


def test_csv_rows_beyond_the_cap_stop_the_reading_early():
    data = b"Testo\n" + b"una proposta abbastanza lunga\n" * (tables.MAX_ROWS + 2)
    with pytest.raises(TableError, match="Troppe righe"):
        read_table(data, "verbale.csv")


def test_a_csv_of_empty_lines_keeps_nothing():
    table = read_table(b"Testo\n" + b"\n" * 2_000_000 + b",,\n", "verbale.csv")
    assert table.rows == []


def test_a_table_survives_its_json_form():
    data = _xlsx([["Testo", "Data"], [GOOD, None]])
    table = read_table(data, "verbale.xlsx")
    again = tables.Table.from_json(table.to_json())
    assert again == table


def test_an_unexpected_reader_failure_is_still_a_table_error(monkeypatch):
    def broken(*_args, **_kwargs):
        raise IndexError("openpyxl surprise")

    monkeypatch.setattr(xlsx_reader, "_read_sheet", broken)
    with pytest.raises(TableError, match="non è leggibile"):
        read_table(BASE, "verbale.xlsx")


def test_text_in_columns_without_a_header_is_named_not_silently_dropped():
    data = f"Testo;Territorio\r\n{GOOD};Torino\r\n{GOOD} bis;Cuneo;nota a margine\r\n".encode()
    table = read_table(data, "verbale.csv")
    assert table.rows[1] == [f"{GOOD} bis", "Cuneo"]
    (notice,) = table.notices
    assert notice.params == {"rows": "3"} and "senza intestazione" in notice.message
