"""Importing minutes and paper forms: row-level validation, a dry run, an all-or-nothing apply.

Every row is either planned or rejected with its spreadsheet row number and reasons; nothing is
silently dropped. `apply_import` adds every valid row inside one savepoint of the caller's
transaction, so a failure anywhere leaves the database (and the session) as they were.
"""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.common.tabular import Table, cell_text
from consult.common.text_rules import _l, clean_text, duplicate_key, fold, text_problem
from consult.framework.models import Consultation, Objective, Territory
from consult.meetings import import_vocabulary as vocabulary
from consult.meetings.import_mapping import Mapping
from consult.meetings.models import Meeting
from consult.meetings.services import stored_id
from consult.proposals import services as proposals
from consult.proposals.models import Contribution

IMPORT_CHANNELS = vocabulary.IMPORT_CHANNELS


@dataclass
class Problem:
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowResult:
    """One data row: its spreadsheet number, the values to store, or why it is refused."""

    row: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ImportPlan:
    valid: list[RowResult]
    rejected: list[RowResult]
    blank_rows: int

    @property
    def total(self) -> int:
        return len(self.valid) + len(self.rejected)


@dataclass
class Lookups:
    """Folded names of what a cell may refer to, and the meeting's texts for duplicates."""

    territories: dict[str, int]
    objectives: dict[str, int]
    roles: dict[str, str]
    channels: dict[str, str]
    existing: dict[str, int]
    default_territory_id: int | None
    refused_channels: set[str] = field(default_factory=set)


def load_lookups(db: Session, meeting: Meeting) -> Lookups:
    consultation = db.get(Consultation, meeting.consultation_id)
    if consultation is None:
        raise ValueError(f"meeting {meeting.id} has no consultation")
    territories = vocabulary.territory_words(
        (t.code, t.name, stored_id(t)) for t in _territories(db, consultation.framework_id)
    )
    objectives: dict[str, int] = {}
    query = select(Objective).where(Objective.framework_id == consultation.framework_id)
    for objective in db.exec(query):
        objectives.setdefault(fold(objective.code), stored_id(objective))
        objectives.setdefault(fold(objective.title), stored_id(objective))
    texts = db.exec(
        select(Contribution.id, Contribution.text).where(Contribution.meeting_id == meeting.id)
    )
    existing = {duplicate_key(text): cid for cid, text in texts if cid is not None}
    return Lookups(
        territories=territories,
        objectives=objectives,
        roles=vocabulary.role_words(),
        channels=vocabulary.channel_words(),
        existing=existing,
        default_territory_id=meeting.territory_id,
        refused_channels=vocabulary.refused_channel_words(),
    )


def _territories(db: Session, framework_id: int) -> list[Territory]:
    """The consultation's own territories in the order they were loaded: a row naming another
    consultation's territory is an unknown territory here."""
    query = select(Territory).where(Territory.framework_id == framework_id)
    return list(db.exec(query.order_by(col(Territory.id))))


def plan_import(db: Session, table: Table, mapping: Mapping, meeting: Meeting) -> ImportPlan:
    """Validate every row (the dry run): nothing is written."""
    lookups = load_lookups(db, meeting)
    seen: dict[str, int] = {}
    valid: list[RowResult] = []
    rejected: list[RowResult] = []
    blank = 0
    for offset, cells in enumerate(table.rows):
        number = table.first_row + offset
        if not any(cell_text(c) for c in cells):
            blank += 1
            continue
        result = check_row(number, cells, mapping, lookups)
        _check_duplicates(result, lookups, seen)
        (rejected if result.problems else valid).append(result)
    return ImportPlan(valid=valid, rejected=rejected, blank_rows=blank)


def check_row(number: int, cells: list[Any], mapping: Mapping, lookups: Lookups) -> RowResult:
    """Turn one row's cells into contribution values, collecting every problem found."""

    def cell(name: str) -> Any:
        index = mapping.get(name)
        return cells[index] if index is not None else ""

    result = RowResult(row=number, values={})
    text = clean_text(cell_text(cell("text"))) or ""
    problem = text_problem(text) if text else _l("Il testo è vuoto.")
    if problem:
        result.problems.append(Problem(problem))
    result.values["text"] = text
    result.values["title"] = _bounded(
        result, cell("title"), 200, _l("Il titolo supera 200 caratteri.")
    )
    result.values["author_name"] = (
        _bounded(result, cell("author"), 120, _l("Il nome dell'autore supera 120 caratteri."))
        or None
    )
    result.values["territory_id"] = _territory(result, cell("territory"), lookups)
    result.values["participant_role"] = _lookup(
        result, cell("role"), lookups.roles, None, _l("Ruolo sconosciuto: «%(value)s».")
    )
    result.values["channel"] = _lookup(
        result,
        cell("channel"),
        lookups.channels,
        "import",
        _l(
            "Canale non ammesso in un'importazione: «%(value)s» "
            "(usa Incontro sul territorio, Su carta o Importata)."
        )
        if fold(cell_text(cell("channel"))) in lookups.refused_channels
        else _l(
            "Canale sconosciuto: «%(value)s» (usa Incontro sul territorio, Su carta o Importata)."
        ),
    )
    result.values["suggested_objective_id"] = _lookup(
        result,
        cell("objective"),
        lookups.objectives,
        None,
        _l("Obiettivo sconosciuto: «%(value)s»."),
    )
    result.values["date"] = _date(result, cell("date"))
    return result


def _bounded(result: RowResult, value: Any, limit: int, message: str) -> str:
    text = clean_text(cell_text(value)) or ""
    if len(text) > limit:
        result.problems.append(Problem(message))
    return text[:limit]


def _lookup(result: RowResult, value: Any, known: dict, default: Any, message: str) -> Any:
    raw = cell_text(value)
    if not raw:
        return default
    if fold(raw) in known:
        return known[fold(raw)]
    result.problems.append(Problem(message, {"value": raw[:80]}))
    return None


def _territory(result: RowResult, value: Any, lookups: Lookups) -> int | None:
    raw = cell_text(value)
    if not raw:
        return lookups.default_territory_id
    found = vocabulary.find_territory(lookups.territories, raw)
    if found is None:
        result.problems.append(
            Problem(_l("Territorio sconosciuto: «%(value)s»."), {"value": raw[:80]})
        )
    return found


def _date(result: RowResult, value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = cell_text(value)
    if not raw:
        return None
    found = vocabulary.parse_date(raw)
    if found is None:
        result.problems.append(
            Problem(
                _l("Data non valida: «%(value)s» (usa 12/10/2017 o 12 ottobre 2017)."),
                {"value": raw[:40]},
            )
        )
    return found


def _check_duplicates(result: RowResult, lookups: Lookups, seen: dict[str, int]) -> None:
    key = duplicate_key(result.values["text"])
    if not key:
        return
    if key in lookups.existing:
        result.problems.append(
            Problem(
                _l("Già presente tra i contributi dell'incontro (n. %(id)s)."),
                {"id": lookups.existing[key]},
            )
        )
    elif key in seen:
        result.problems.append(Problem(_l("Duplicato della riga %(row)s."), {"row": seen[key]}))
    else:
        seen[key] = result.row


@dataclass
class ImportSource:
    """Where the rows came from, recorded in every row's provenance."""

    filename: str
    digest: str
    sheet: str | None = None


def apply_import(
    db: Session, plan: ImportPlan, meeting: Meeting, source: ImportSource, *, actor_id: int | None
) -> str:
    """Add every valid row and one audit entry, all or nothing; the caller's commit keeps them.

    The rows go in one savepoint: when anything fails the savepoint is rolled back, the error
    propagates, and the session is left as it was before, ready to render the failure.
    """
    import_id = str(uuid.uuid4())
    with db.begin_nested():
        add_rows(db, plan.valid, meeting, source, import_id=import_id, actor_id=actor_id)
        record_import(db, plan, meeting, source, import_id=import_id, actor_id=actor_id)
        db.flush()
    return import_id


def add_rows(
    db: Session,
    rows: list[RowResult],
    meeting: Meeting,
    source: ImportSource,
    *,
    import_id: str,
    actor_id: int | None,
) -> None:
    """Add these valid rows as proposals; a row already stored by this file is not added twice."""
    now = utcnow()
    for result in rows:
        draft = _draft(result, meeting, source, import_id, actor_id, now)
        proposals.create(db, draft, actor_id=actor_id, action="contribution.imported")


def record_import(
    db: Session,
    plan: ImportPlan,
    meeting: Meeting,
    source: ImportSource,
    *,
    import_id: str,
    actor_id: int | None,
) -> None:
    """The one audit entry of an import, with what was stored and what was refused."""
    audit.record(
        db,
        actor_id=actor_id,
        action="contributions.imported",
        entity_type="meeting",
        entity_id=stored_id(meeting),
        after={
            "import_id": import_id,
            "file": source.filename,
            "sheet": source.sheet,
            "stored": len(plan.valid),
            "rejected": len(plan.rejected),
            "blank_rows": plan.blank_rows,
        },
    )


def _draft(
    result: RowResult,
    meeting: Meeting,
    source: ImportSource,
    import_id: str,
    actor_id: int | None,
    now: datetime,
) -> proposals.Draft:
    values = dict(result.values)
    day = values.pop("date")
    created = datetime.combine(day, time(12), tzinfo=UTC) if day else now
    key = hashlib.sha256(f"{meeting.id}:{source.digest}:{source.sheet}:{result.row}".encode())
    provenance = {
        "source": "import",
        "file": source.filename,
        "sheet": source.sheet,
        "row": result.row,
        "import_id": import_id,
        "imported_by": actor_id,
    }
    if day:
        provenance["date"] = day.isoformat()
    return proposals.Draft(
        consultation_id=meeting.consultation_id,
        meeting_id=meeting.id,
        provenance=provenance,
        created_at=created,
        published_at=now,
        idempotency_key="import-" + key.hexdigest()[:57],
        **values,
    )


def accepted_values(db: Session, consultation_id: int) -> list[vocabulary.Accepted]:
    """What the template lists: channels, roles, and the consultation's territories and
    objectives, each as the label people write and its code."""
    consultation = db.get(Consultation, consultation_id)
    if consultation is None:
        return vocabulary.accepted_values([], [])
    territories = _territories(db, consultation.framework_id)
    objectives = db.exec(
        select(Objective)
        .where(Objective.framework_id == consultation.framework_id)
        .order_by(col(Objective.id))
    ).all()
    return vocabulary.accepted_values(
        [(t.code, t.name, t.kind) for t in territories], [(o.code, o.title) for o in objectives]
    )


def rejected_cells(table: Table, plan: ImportPlan) -> list[tuple[int, list[str], list[Problem]]]:
    """Each rejected row as it was in the file (its number, its cells padded to the header)
    with its problems, for the file people fix and upload again."""
    width = len(table.headers)
    found = []
    for item in plan.rejected:
        cells = table.rows[item.row - table.first_row]
        padded = [cell_text(c) for c in cells[:width]] + [""] * (width - len(cells))
        found.append((item.row, padded, item.problems))
    return found
