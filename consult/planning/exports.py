"""Proposals with their theme, objectives and confidence, as CSV, XLSX and JSON.

Built on the public serialiser (`contribution_dict`): never authors, e-mails or tokens. Staff
exports add the moderation status. Spreadsheet cells are neutralised against formula injection.
"""

import csv
import io
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from consult.analysis.assignment import DEFAULT_THRESHOLD, assign_objectives, current_themes
from consult.common.spreadsheets import neutralise
from consult.framework import services as framework
from consult.framework.models import OFF_STRATEGY_CODE, Consultation
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


def export_rows(
    db: Session, consultation: Consultation, *, threshold: float = DEFAULT_THRESHOLD
) -> list[dict[str, Any]]:
    """Every proposal of the consultation with its analysis fields, oldest first."""
    contributions = db.exec(
        select(Contribution)
        .where(Contribution.consultation_id == consultation.id)
        .order_by(col(Contribution.id))
    ).all()
    assignments = assign_objectives(db, contributions, threshold=threshold)
    themes = current_themes(db, stored_id(consultation))
    codes = framework.objective_codes(db)
    rows = []
    for contribution in contributions:
        assignment = assignments[stored_id(contribution)]
        theme = themes.get(assignment.theme_id) if assignment.theme_id else None
        row = contribution_dict(db, contribution)
        row.update(
            status=contribution.status,
            theme=theme.stable_key if theme else None,
            theme_label=theme.display_label if theme else None,
            objectives=[
                codes[o] if o is not None else OFF_STRATEGY_CODE for o in assignment.objective_ids
            ],
            objective_source=assignment.source,
            confidence=round(assignment.confidence, 3)
            if assignment.confidence is not None
            else None,
        )
        rows.append({name: row[name] for name in COLUMNS})
    return rows


def safe_cell(value: Any) -> Any:
    """Flatten lists and keep spreadsheets from running text as a formula."""
    if isinstance(value, list):
        value = "; ".join(value)
    return neutralise(value)


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV with a header; the caller adds a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else safe_cell(v) for k, v in row.items()})
    return buffer.getvalue()


def to_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """One sheet, header frozen, every cell written as data."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "proposte"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([safe_cell(row[name]) for name in COLUMNS])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
