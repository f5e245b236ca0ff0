"""A large import as a background job: short transactions, progress a page can poll.

One long transaction would hold SQLite's write lock (and PostgreSQL's row locks) for the whole
file, so live submissions would wait behind it. Here the rows go in batches, each committed by
itself; every row carries an idempotency key made from the file and its row number, so a run
that stops half-way can be started again and stores each row only once.
"""

import logging
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.exc import OperationalError

from consult import db
from consult.common import upload_store
from consult.meetings import imports
from consult.meetings.import_mapping import Mapping
from consult.meetings.models import Meeting

log = logging.getLogger(__name__)
BATCH_ROWS = 25
# SQLite's busy handler polls (every 100 ms at most): without a pause after each commit the job
# takes the write lock again before a waiting live submission wakes, and that one waits seconds.
BATCH_PAUSE_SECONDS = 0.12
# A batch that loses a lock race (SQLite's "database is locked" when a live submission committed
# between its first read and first write) is simply run again: its rows' keys make it idempotent.
BATCH_ATTEMPTS = 5


def start(folder: Path, stored: upload_store.StoredUpload, plan: imports.ImportPlan) -> None:
    """Write the first progress record, so the status page has something to show at once."""
    upload_store.save_progress(
        folder,
        stored.token,
        {
            "status": "queued",
            "meeting_id": stored.meeting_id,
            "user_id": stored.user_id,
            "filename": stored.filename,
            "total": len(plan.valid),
            "done": 0,
            "rejected": rejected_rows(plan),
            "blank_rows": plan.blank_rows,
            "started": time.time(),
        },
    )


def rejected_rows(plan: imports.ImportPlan) -> list[dict[str, Any]]:
    """Every refused row with its reasons (untranslated), as JSON for the status page."""
    return [
        {
            "row": item.row,
            "problems": [[p.message, p.params] for p in item.problems],
            "text": item.values.get("text", "")[:200],
        }
        for item in plan.rejected
    ]


def run_import(
    folder: str, token: str, sheet: str | None, mapping: Mapping, meeting_id: int, actor_id: int
) -> None:
    """The job: plan again, store the valid rows in batches, then the audit entry."""
    path = Path(folder)
    progress = upload_store.load_progress(path, token) or {}
    try:
        _run(path, token, sheet, mapping, meeting_id, actor_id, progress)
    except Exception as exc:  # the page must say it failed; the rows stored so far stay
        log.exception("background import %s of meeting %s failed", token, meeting_id)
        progress.update(status="failed", error=type(exc).__name__)
        upload_store.save_progress(path, token, progress)


def _run(path, token, sheet, mapping, meeting_id, actor_id, progress) -> None:
    stored = upload_store.load_meta(path, token)
    if stored is None:
        raise LookupError(f"upload {token} is gone")
    table = upload_store.parsed_table(path, stored, sheet)
    source = imports.ImportSource(stored.filename, stored.digest, table.sheet)
    with db.standalone_session() as session:
        meeting = _meeting(session, meeting_id)
        plan = imports.plan_import(session, table, mapping, meeting)
    import_id = str(uuid.uuid4())
    progress.update(status="running", total=len(plan.valid), done=0, import_id=import_id)
    progress["rejected"] = rejected_rows(plan)
    upload_store.save_progress(path, token, progress)
    for first in range(0, len(plan.valid), BATCH_ROWS):
        batch = plan.valid[first : first + BATCH_ROWS]
        _store_batch(batch, meeting_id, source, import_id, actor_id)
        progress["done"] = first + len(batch)
        upload_store.save_progress(path, token, progress)
        time.sleep(BATCH_PAUSE_SECONDS)
    with db.standalone_session() as session:
        meeting = _meeting(session, meeting_id)
        imports.record_import(
            session, plan, meeting, source, import_id=import_id, actor_id=actor_id
        )
    progress.update(status="done", finished=time.time())
    upload_store.save_progress(path, token, progress)
    upload_store.delete(path, token, keep_progress=True)


def _store_batch(batch, meeting_id, source, import_id, actor_id) -> None:
    """Store one batch in its own short transaction, again when it lost a lock race."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            with db.standalone_session() as session:
                meeting = _meeting(session, meeting_id)
                imports.add_rows(
                    session, batch, meeting, source, import_id=import_id, actor_id=actor_id
                )
            return
        except OperationalError:
            if attempt == BATCH_ATTEMPTS:
                raise
            log.info("import batch lost a lock race, attempt %d", attempt)
            time.sleep(BATCH_PAUSE_SECONDS * attempt)


def _meeting(session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise LookupError(f"meeting {meeting_id} is gone")
    return meeting
