"""Uploaded import files kept server-side between preview and confirmation (at most 24 hours)."""

import hashlib
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

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
    folder: Path, data: bytes, *, filename: str, meeting_id: int, user_id: int
) -> StoredUpload:
    """Write the bytes under a random name next to a small JSON description."""
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
    return upload


def load(folder: Path, token: str) -> tuple[StoredUpload, bytes] | None:
    """The upload and its bytes, or None when unknown, malformed or older than 24 hours."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.data"
    try:
        upload = StoredUpload(**json.loads(meta_path.read_text(encoding="utf-8")))
        data = data_path.read_bytes()
    except (OSError, ValueError, TypeError):
        return None
    if time.time() - upload.created > MAX_AGE_SECONDS:
        delete(folder, token)
        return None
    return upload, data


def delete(folder: Path, token: str) -> None:
    if not TOKEN_PATTERN.match(token or ""):
        return
    for suffix in (".json", ".data"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def purge_stale(folder: Path, max_age: float = MAX_AGE_SECONDS) -> int:
    """Delete uploads older than `max_age` seconds; return how many went."""
    if not folder.is_dir():
        return 0
    cutoff, removed = time.time() - max_age, 0
    for path in folder.iterdir():
        if path.suffix in {".json", ".data"} and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += path.suffix == ".json"
    return removed
