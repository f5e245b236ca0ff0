"""Reading spreadsheets people actually have: CSV in any common encoding or delimiter, XLSX.

Every failure is a `TableError` with a message for the user: a malformed file never becomes
a server error. Cells come back as text, so a table is small and stored as JSON between steps.
"""

from consult.common.csv_reader import read_csv
from consult.common.tables import MAX_COLUMNS, MAX_ROWS, Notice, Table, TableError, cell_text
from consult.common.text_rules import _l
from consult.common.xlsx_reader import read_xlsx

__all__ = [
    "MAX_COLUMNS",
    "MAX_ROWS",
    "Notice",
    "Table",
    "TableError",
    "cell_text",
    "read_csv",
    "read_table",
    "read_xlsx",
]
ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_table(data: bytes, filename: str, sheet: str | None = None) -> Table:
    """Read `data` as XLSX (by signature or extension) or else as CSV."""
    if not data.strip():
        raise TableError(_l("Il file è vuoto."))
    lowered = filename.lower()
    if lowered.endswith(".xls") or data[:8] == OLE_SIGNATURE:
        raise TableError(
            _l("Il formato .xls non è supportato: salva il file come .xlsx o .csv e riprova.")
        )
    if data[:4] == ZIP_SIGNATURE or lowered.endswith(".xlsx"):
        return read_xlsx(data, sheet)
    return read_csv(data)
