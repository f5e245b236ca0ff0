"""Uploaded import files kept server-side between preview and confirmation (at most 24 hours).

Next to the bytes the store keeps each sheet as parsed once (JSON of text cells), so the
mapping, dry run and confirmation never parse the file again, and the progress of a
background import.
"""

import hashlib
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from consult.common.tabular import Table, read_table

MAX_AGE_SECONDS = 24 * 3600
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class StoredUpload:
    token: str
    filename: str
    meeting_id: int
    user_id: int
    digest: str
    size: int
    created: float


def save(
    folder: Path,
    data: bytes,
    *,
    filename: str,
    meeting_id: int,
    user_id: int,
    table: Table | None = None,
) -> StoredUpload:
    """Write the bytes under a random name next to a small JSON description (and the table)."""
    folder.mkdir(parents=True, exist_ok=True)
    purge_stale(folder)
    upload = StoredUpload(
        token=secrets.token_urlsafe(18),
        filename=Path(filename).name[:200] or "file",
        meeting_id=meeting_id,
        user_id=user_id,
        digest=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created=time.time(),
    )
    (folder / f"{upload.token}.data").write_bytes(data)
    (folder / f"{upload.token}.json").write_text(json.dumps(asdict(upload)), encoding="utf-8")
    if table is not None:
        _write_json(_table_path(folder, upload.token, None), table.to_json())
    return upload


def load_meta(folder: Path, token: str) -> StoredUpload | None:
    """The upload's description, or None when unknown, malformed or older than 24 hours."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    try:
        upload = StoredUpload(**_read_json(folder / f"{token}.json"))
    except (OSError, ValueError, TypeError):
        return None
    if time.time() - upload.created > MAX_AGE_SECONDS:
        delete(folder, token)
        return None
    return upload


def parsed_table(folder: Path, upload: StoredUpload, sheet: str | None) -> Table:
    """The sheet as parsed at its first use; raises TableError when it cannot be read."""
    path = _table_path(folder, upload.token, sheet)
    try:
        return Table.from_json(_read_json(path))
    except (OSError, ValueError, TypeError):
        pass
    table = read_table((folder / f"{upload.token}.data").read_bytes(), upload.filename, sheet)
    _write_json(path, table.to_json())
    if sheet is None and table.sheet:  # the first sheet is also asked for by its name
        _write_json(_table_path(folder, upload.token, table.sheet), table.to_json())
    return table


def _table_path(folder: Path, token: str, sheet: str | None) -> Path:
    key = hashlib.sha256((sheet or "").encode()).hexdigest()[:16] if sheet else "first"
    return folder / f"{token}.table-{key}.json"


def save_progress(folder: Path, token: str, progress: dict[str, Any]) -> None:
    """Record how far a background import got (written whole, so a reader never sees half)."""
    _write_json(folder / f"{token}.progress.json", progress)


def load_progress(folder: Path, token: str) -> dict[str, Any] | None:
    if not TOKEN_PATTERN.match(token or ""):
        return None
    try:
        return _read_json(folder / f"{token}.progress.json")
    except (OSError, ValueError):
        return None


def _write_json(path: Path, value: Any) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load(folder: Path, token: str) -> tuple[StoredUpload, bytes] | None:
    """The upload and its bytes, or None when unknown, malformed or older than 24 hours."""
    upload = load_meta(folder, token)
    if upload is None:
        return None
    try:
        return upload, (folder / f"{token}.data").read_bytes()
    except OSError:
        return None


def delete(folder: Path, token: str, *, keep_progress: bool = False) -> None:
    """Remove the upload, its parsed sheets and (unless kept for its page) its progress."""
    if not TOKEN_PATTERN.match(token or ""):
        return
    for path in folder.glob(f"{token}.*"):
        if not (keep_progress and path.name.startswith(f"{token}.progress")):
            path.unlink(missing_ok=True)


def purge_stale(folder: Path, max_age: float = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than `max_age` seconds; return how many went."""
    if not folder.is_dir():
        return 0
    cutoff, removed = time.time() - max_age, 0
    for path in folder.iterdir():
        if path.suffix in {".json", ".data", ".part"} and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += path.suffix == ".data"
    return removed
