"""Proposals with their theme, objectives and confidence, as CSV, XLSX and JSON.

Built on the public serialiser (`contribution_dict`): never authors, e-mails or tokens. Staff
exports add the moderation status. Spreadsheet cells are neutralised against formula injection.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from consult.analysis import assignment_store
from consult.analysis.assignment import DEFAULT_THRESHOLD, current_themes
from consult.common.spreadsheets import neutralise
from consult.framework import services as framework
from consult.framework.models import OFF_STRATEGY_CODE, Consultation, Objective, Territory
from consult.meetings.services import stored_id
from consult.proposals.models import Contribution
from consult.proposals.public_data import contribution_dict

COLUMNS = (
    "id",
    "status",
    "title",
    "text",
    "channel",
    "territory",
    "meeting_id",
    "participant_role",
    "suggested_objective",
    "published_at",
    "theme",
    "theme_label",
    "objectives",
    "objective_source",
    "confidence",
)


BATCH = 1000
CSV_CHUNK_ROWS = 200


def export_rows(
    db: Session, consultation: Consultation, *, threshold: float = DEFAULT_THRESHOLD
) -> list[dict[str, Any]]:
    """Every proposal of the consultation with its analysis fields, oldest first."""
    return list(iter_export_rows(db, consultation, threshold=threshold))


def iter_export_rows(
    db: Session,
    consultation: Consultation,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch: int = BATCH,
) -> Iterator[dict[str, Any]]:
    """The export's rows, read `batch` proposals at a time (keyset on the id), memory flat
    (the session's identity map lets go of each batch's rows once they are written)."""
    themes = current_themes(db, stored_id(consultation))
    codes = framework.objective_codes(db)
    # Held for the loop: the session's identity map keeps only referenced rows, and the
    # serialiser's look-ups of territories and objectives must not become a query per row.
    held = [*db.exec(select(Territory)).all(), *db.exec(select(Objective)).all()]
    after = 0
    while True:
        contributions = db.exec(
            select(Contribution)
            .where(Contribution.consultation_id == consultation.id, col(Contribution.id) > after)
            .order_by(col(Contribution.id))
            .limit(batch)
        ).all()
        if not contributions:
            return
        ids = [stored_id(c) for c in contributions]
        assignments = assignment_store.stored_assignments(db, ids, threshold=threshold)
        for contribution in contributions:
            yield _row(db, contribution, assignments[stored_id(contribution)], themes, codes)
        after = ids[-1]
    del held


def _row(db: Session, contribution: Contribution, assignment, themes, codes) -> dict[str, Any]:
    theme = themes.get(assignment.theme_id) if assignment.theme_id else None
    row = contribution_dict(db, contribution, supports=0)  # supports are not exported
    row.update(
        status=contribution.status,
        theme=theme.stable_key if theme else None,
        theme_label=theme.display_label if theme else None,
        objectives=[
            codes[o] if o is not None else OFF_STRATEGY_CODE for o in assignment.objective_ids
        ],
        objective_source=assignment.source,
        confidence=round(assignment.confidence, 3) if assignment.confidence is not None else None,
    )
    return {name: row[name] for name in COLUMNS}


def safe_cell(value: Any) -> Any:
    """Flatten lists and keep spreadsheets from running text as a formula."""
    if isinstance(value, list):
        value = "; ".join(value)
    return neutralise(value)


def to_csv(rows: Iterable[dict[str, Any]]) -> str:
    """CSV with a header; the caller adds a BOM so Excel reads UTF-8."""
    return "".join(csv_chunks(rows))


def csv_chunks(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV a few hundred rows at a time: the header comes out before any row is read."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    yield _drain(buffer)
    for number, row in enumerate(rows, start=1):
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in row.items()})
        if number % CSV_CHUNK_ROWS == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def to_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    """One sheet, header frozen, every cell written as data."""
    with tempfile.TemporaryFile() as file:
        write_xlsx(rows, file)
        file.seek(0)
        return file.read()


def write_xlsx(rows: Iterable[dict[str, Any]], file: IO[bytes]) -> None:
    """The XLSX through openpyxl's write-only workbook: rows go to disk as they come."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("proposte")
    sheet.freeze_panes = "A2"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([safe_cell(row[name]) for name in COLUMNS])
    workbook.save(file)
