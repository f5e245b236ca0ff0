"""Proposals with their theme, objectives and confidence, as CSV, XLSX and JSON.

Built on the public serialiser (`contribution_dict`): never authors, e-mails or tokens. Staff
exports add the moderation status; planners choose which statuses (published by default). The
JSON keeps codes; the spreadsheets speak the product's one dialect (`common/sheet_dialect.py`):
headers and values in the user's language, the labels the pages show, with the codes in extra
columns for tools. Spreadsheet cells are neutralised against formula injection.
"""

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from consult.analysis import assignment_store
from consult.analysis.assignment import DEFAULT_THRESHOLD, current_themes
from consult.common import sheet_dialect
from consult.common.sheet_dialect import ITALIAN, Column, Words
from consult.common.spreadsheets import neutralise
from consult.framework import services as framework
from consult.framework.labels import CHANNEL_LABELS, PROPOSAL_STATUS_LABELS, ROLE_LABELS
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
STATUSES = tuple(PROPOSAL_STATUS_LABELS)  # what a planner may choose to export
DEFAULT_STATUSES = ("published",)
SOURCE_LABELS = {
    "planner": _l("Pianificatore, sulla proposta"),
    "model": _l("Modello, sulla proposta"),
    "theme-planner": _l("Pianificatore, sul tema"),
    "theme-model": _l("Modello, sul tema"),
    "suggested": _l("Chi ha scritto"),
    "unmapped": _l("Non assegnata"),
}
# (key, header, width, kind): labels first, as the pages show them, then the codes for tools.
SHEET_COLUMNS = (
    ("id", _l("N."), 8, "integer"),
    ("status_label", _l("Stato"), 22, "text"),
    ("title", _l("Titolo"), 30, "text"),
    ("text", _l("Testo"), 80, "long-text"),
    ("channel_label", _l("Canale"), 20, "text"),
    ("territory_label", _l("Territorio"), 18, "text"),
    ("meeting_id", _l("N. incontro"), 11, "integer"),
    ("role_label", _l("Ruolo di chi scrive"), 26, "text"),
    ("suggested_objective_label", _l("Obiettivo suggerito"), 30, "text"),
    ("published_at", _l("Pubblicata il"), 17, "datetime"),
    ("theme_label", _l("Tema"), 30, "text"),
    ("objective_labels", _l("Obiettivi"), 40, "text"),
    ("objective_source_label", _l("Assegnata da"), 24, "text"),
    ("confidence", _l("Confidenza"), 11, "decimal"),
    ("status", _l("Codice stato"), 12, "text"),
    ("channel", _l("Codice canale"), 13, "text"),
    ("territory", _l("Codice territorio"), 16, "text"),
    ("participant_role", _l("Codice ruolo"), 16, "text"),
    ("suggested_objective", _l("Codice obiettivo suggerito"), 16, "text"),
    ("theme", _l("Codice tema"), 14, "text"),
    ("objectives", _l("Codici obiettivi"), 18, "text"),
    ("objective_source", _l("Codice assegnazione"), 16, "text"),
)


def chosen_statuses(raws: Sequence[str]) -> tuple[str, ...]:
    """The statuses a planner ticked, in the usual order; published when none is valid."""
    picked = tuple(status for status in STATUSES if status in raws)
    return picked or DEFAULT_STATUSES


def export_rows(
    db: Session,
    consultation: Consultation,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    statuses: Sequence[str] = STATUSES,
) -> list[dict[str, Any]]:
    """The consultation's proposals in `statuses` with their analysis fields, oldest first."""
    return list(iter_export_rows(db, consultation, threshold=threshold, statuses=statuses))


def iter_export_rows(
    db: Session,
    consultation: Consultation,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    batch: int = BATCH,
    statuses: Sequence[str] = STATUSES,
) -> Iterator[dict[str, Any]]:
    """The export's rows, read `batch` proposals at a time (keyset on the id), memory flat
    (the session's identity map lets go of each batch's rows once they are written)."""
    themes = current_themes(db, stored_id(consultation))
    codes = framework.objective_codes(db)
    # Held for the loop: the session's identity map keeps only referenced rows, and the
    # serialiser's look-ups of territories and objectives must not become a query per row.
    territories = framework.territories(db, consultation.framework_id)
    held = [*territories, *db.exec(select(Objective)).all()]
    after = 0
    while True:
        contributions = db.exec(
            select(Contribution)
            .where(
                Contribution.consultation_id == consultation.id,
                col(Contribution.status).in_(list(statuses)),
                col(Contribution.id) > after,
            )
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


def sheet_columns() -> list[Column]:
    """The spreadsheet's columns, headers in the current language."""
    return [Column(key, str(header), width, kind) for key, header, width, kind in SHEET_COLUMNS]


class SheetRows:
    """Turns export rows (codes) into spreadsheet rows (labels and codes): names of territories
    and titles of objectives are read once, those of the consultation's framework when given
    (another framework may use the same codes)."""

    def __init__(self, db: Session, framework_id: int | None = None) -> None:
        territories, objectives = select(Territory), select(Objective)
        if framework_id is not None:
            territories = territories.where(Territory.framework_id == framework_id)
            objectives = objectives.where(Objective.framework_id == framework_id)
        self.territories = {t.code: t.name for t in db.exec(territories).all()}
        self.objectives = {o.code: o.title for o in db.exec(objectives).all()}
        self.objectives[OFF_STRATEGY_CODE] = str(_l("Fuori strategia"))
        # The labels in the current language, translated once (not four times per row).
        self.statuses = _translated(PROPOSAL_STATUS_LABELS)
        self.channels = _translated(CHANNEL_LABELS)
        self.roles = _translated(ROLE_LABELS)
        self.sources = _translated(SOURCE_LABELS)

    def __call__(self, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for row in rows:
            yield {
                **row,
                "status_label": self.statuses.get(row["status"], row["status"]),
                "channel_label": self.channels.get(row["channel"], row["channel"]),
                "territory_label": self.territories.get(row["territory"], row["territory"]),
                "role_label": self.roles.get(row["participant_role"], row["participant_role"]),
                "suggested_objective_label": self.objectives.get(
                    row["suggested_objective"], row["suggested_objective"]
                ),
                "objective_labels": [self.objectives.get(c, c) for c in row["objectives"]],
                "objective_source_label": self.sources.get(
                    row["objective_source"], row["objective_source"]
                ),
            }


def _translated(labels: dict) -> dict[str | None, str]:
    return {code: str(label) for code, label in labels.items()}


def csv_chunks(
    db: Session,
    rows: Iterable[dict[str, Any]],
    words: Words = ITALIAN,
    *,
    framework_id: int | None = None,
) -> Iterator[str]:
    """The CSV a few hundred rows at a time: BOM and header come out before any row is read."""
    return sheet_dialect.csv_chunks(sheet_columns(), SheetRows(db, framework_id)(rows), words)


def to_csv(
    db: Session,
    rows: Iterable[dict[str, Any]],
    words: Words = ITALIAN,
    *,
    framework_id: int | None = None,
) -> str:
    return "".join(csv_chunks(db, rows, words, framework_id=framework_id))


def to_xlsx(
    db: Session,
    rows: Iterable[dict[str, Any]],
    words: Words = ITALIAN,
    *,
    framework_id: int | None = None,
) -> bytes:
    with tempfile.TemporaryFile() as file:
        write_xlsx(db, rows, file, words, framework_id=framework_id)
        file.seek(0)
        return file.read()


def write_xlsx(
    db: Session,
    rows: Iterable[dict[str, Any]],
    file: IO[bytes],
    words: Words = ITALIAN,
    *,
    framework_id: int | None = None,
) -> None:
    """The XLSX through the write-only workbook: rows go to disk as they come."""
    labelled = SheetRows(db, framework_id)(rows)
    sheet_dialect.write_xlsx(
        sheet_columns(), labelled, file, sheet_title=str(_l("Proposte")), words=words
    )
