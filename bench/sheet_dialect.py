"""How long the one spreadsheet dialect takes to write 100,000 planner-like rows, and how much
memory it holds: the CSV is streamed, the XLSX written by a write-only workbook to a temporary
file. Times are taken without tracemalloc (which slows openpyxl several times), the Python
heap peak in a second run of a tenth of the rows. No database: this measures the writer alone.

    .venv/bin/python -m bench.sheet_dialect [--rows 100000]
"""

import argparse
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

from consult.common import sheet_dialect
from consult.common.sheet_dialect import Column

COLUMNS = [
    Column("id", "N.", 8, "integer"),
    Column("status", "Stato", 22),
    Column("text", "Testo", 80, "long-text"),
    Column("channel", "Canale", 20),
    Column("published_at", "Pubblicata il", 17, "datetime"),
    Column("objectives", "Obiettivi", 40),
    Column("confidence", "Confidenza", 11, "decimal"),
    *[Column(f"code{n}", f"Codice {n}", 12) for n in range(8)],
]


def rows(count: int):
    start = datetime(2017, 10, 1, tzinfo=UTC)
    for n in range(count):
        yield {
            "id": n + 1,
            "status": "Pubblicata",
            "text": f"Servono più posti nei centri diurni per anziani, proposta {n}. " * 3,
            "channel": "Su carta",
            "published_at": (start + timedelta(minutes=n)).isoformat(),
            "objectives": ["Politiche per l'abitare", "Regolamento ISEE"],
            "confidence": 0.873,
            **{f"code{k}": f"c{k}" for k in range(8)},
        }


def measure(label: str, run, count: int) -> None:
    began = time.perf_counter()
    size = run(count)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    run(count // 10)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{label} {count} rows: {seconds:.1f} s, {size / 1e6:.1f} MB written; "
        f"heap peak {peak / 1e6:.1f} MB for {count // 10} rows"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    count = parser.parse_args().rows

    def csv_run(n: int) -> int:
        return sum(len(chunk.encode()) for chunk in sheet_dialect.csv_chunks(COLUMNS, rows(n)))

    def xlsx_run(n: int) -> int:
        with tempfile.TemporaryFile() as file:
            sheet_dialect.write_xlsx(COLUMNS, rows(n), file, sheet_title="Proposte")
            return file.tell()

    measure("CSV ", csv_run, count)
    measure("XLSX", xlsx_run, count)


if __name__ == "__main__":
    main()
