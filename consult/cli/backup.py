"""Export every table to one JSON file and import it into an empty database, losslessly.

The file records the schema revision; import refuses a non-empty database or another revision,
and runs in one transaction, so a failed import leaves nothing behind.
"""

import base64
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Date, DateTime, LargeBinary, Table, func, inspect, select, text
from sqlmodel import SQLModel

import consult.models  # noqa: F401  (registers every table)

FORMAT = "consult-export"
FORMAT_VERSION = 1


class BackupError(ValueError):
    """An archive that cannot be imported here; nothing was written."""


def export_all(connection: Connection, path: Path) -> dict[str, int]:
    """Write every row of every table, in foreign-key order, to `path`; return row counts."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        order = list(table.primary_key.columns)
        rows = connection.execute(select(table).order_by(*order)).mappings()
        tables[table.name] = [_encode_row(table, dict(row)) for row in rows]
    archive = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "revision": _revision(connection),
        "tables": tables,
    }
    path.write_text(json.dumps(archive, ensure_ascii=False, indent=1), encoding="utf-8")
    return {name: len(rows) for name, rows in tables.items()}


def import_all(connection: Connection, path: Path) -> dict[str, int]:
    """Load an export into this empty database at the same schema revision."""
    archive = _read_archive(path)
    if archive["revision"] != _revision(connection):
        raise BackupError(
            f"the file is at schema revision {archive['revision']}, the database at "
            f"{_revision(connection)}: run `consult db upgrade` to the same revision first"
        )
    non_empty = [t.name for t in SQLModel.metadata.sorted_tables if _count(connection, t)]
    if non_empty:
        raise BackupError(f"the database is not empty (tables with rows: {', '.join(non_empty)})")
    counts = {}
    for table in SQLModel.metadata.sorted_tables:
        rows = [_decode_row(table, row) for row in archive["tables"].get(table.name, [])]
        _insert(connection, table, rows)
        counts[table.name] = len(rows)
    _reset_sequences(connection)
    return counts


def _read_archive(path: Path) -> dict[str, Any]:
    try:
        archive = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path}: not a readable consult export ({exc})") from exc
    if not isinstance(archive, dict) or archive.get("format") != FORMAT:
        raise BackupError(f"{path}: not a consult export")
    if archive.get("version") != FORMAT_VERSION:
        raise BackupError(f"{path}: export format version {archive.get('version')} is unknown")
    return archive


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows; self-references are set afterwards so row order never matters."""
    if not rows:
        return
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table.name == table.name]
    first_pass = [{**row, **dict.fromkeys(self_refs)} for row in rows]
    connection.execute(table.insert(), first_pass)
    keys = list(table.primary_key.columns)
    for row in rows:
        pending = {name: row[name] for name in self_refs if row.get(name) is not None}
        if pending:
            where = [column == row[column.name] for column in keys]
            connection.execute(table.update().where(*where).values(**pending))


def _encode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    encoded = {}
    for name, value in row.items():
        if isinstance(value, datetime | date):
            value = value.isoformat()
        elif isinstance(value, bytes | memoryview):
            value = base64.b64encode(bytes(value)).decode("ascii")
        encoded[name] = value
    return encoded


def _decode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for name, value in row.items():
        column_type = table.c[name].type
        column_type = getattr(column_type, "impl", column_type)  # unwrap TypeDecorators
        if value is not None and isinstance(column_type, DateTime):
            value = datetime.fromisoformat(value)
        elif value is not None and isinstance(column_type, Date):
            value = date.fromisoformat(value)
        elif value is not None and isinstance(column_type, LargeBinary):
            value = base64.b64decode(value)
        decoded[name] = value
    return decoded


def _count(connection: Connection, table: Table) -> int:
    return connection.execute(select(func.count()).select_from(table)).scalar_one()


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None  # a schema made without migrations (tests)
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, move id sequences past the imported ids so new rows do not collide."""
    if connection.dialect.name != "postgresql":
        return
    for table in SQLModel.metadata.sorted_tables:
        if "id" in table.c and table.c["id"].autoincrement in (True, "auto"):
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )
