"""Objectives by territory or channel: which parts of the strategy and of the region are heard.

Counts published proposals. A proposal counts once in each objective it is assigned to (see
`objective_assignment`), so a column can add up to more than its number of proposals; column
shares are therefore shares of that column's proposals.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from consult.analysis.assignment import DEFAULT_THRESHOLD, Assignment, assign_objectives
from consult.framework import services as framework
from consult.framework.models import OFF_STRATEGY_CODE, Consultation, Territory
from consult.meetings.models import Meeting
from consult.meetings.services import stored_id
from consult.proposals.models import CHANNELS, Contribution

UNMAPPED_CODE = "non-assegnate"
NO_TERRITORY_CODE = "non-indicato"
BUCKETS = 5
# Planners pick calendar days where the consultation happens.
LOCAL_TIME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Filters:
    """Which proposals the matrix counts: a period (inclusive dates) and/or one meeting."""

    since: date | None = None
    until: date | None = None
    meeting_id: int | None = None


@dataclass
class Line:
    """A row or a column of the matrix."""

    code: str
    label: str
    total: int = 0


@dataclass
class Matrix:
    rows: list[Line]
    columns: list[Line]
    cells: dict[tuple[str, str], int]
    proposals: int
    max_cell: int = 0
    dimension: str = "territory"
    assignments: dict[int, Assignment] = field(default_factory=dict)

    def count(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def row_share(self, row: Line, column: Line) -> float:
        return self.count(row.code, column.code) / row.total if row.total else 0.0

    def column_share(self, row: Line, column: Line) -> float:
        return self.count(row.code, column.code) / column.total if column.total else 0.0

    def bucket(self, row: str, column: str) -> int:
        """0 for an empty cell, else 1..BUCKETS in proportion to the largest cell."""
        value = self.count(row, column)
        if not value or not self.max_cell:
            return 0
        return max(1, -(-value * BUCKETS // self.max_cell))

    def bucket_ranges(self) -> list[tuple[int, int, int]]:
        """(bucket, lowest count, highest count) for the legend."""
        ranges = [(0, 0, 0)]
        for bucket in range(1, BUCKETS + 1):
            low = (bucket - 1) * self.max_cell // BUCKETS + 1
            high = bucket * self.max_cell // BUCKETS
            if high >= low:
                ranges.append((bucket, low, high))
        return ranges


def filtered_contributions(
    db: Session, consultation: Consultation, filters: Filters = Filters()
) -> list[Contribution]:
    """The published proposals of the consultation that the filters keep."""
    query = select(Contribution).where(
        Contribution.consultation_id == consultation.id, Contribution.status == "published"
    )
    if filters.since:
        query = query.where(
            Contribution.created_at >= datetime.combine(filters.since, time.min, LOCAL_TIME)
        )
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, LOCAL_TIME)
        query = query.where(Contribution.created_at < end)
    if filters.meeting_id:
        query = query.where(Contribution.meeting_id == filters.meeting_id)
    return list(db.exec(query.order_by(col(Contribution.id))).all())


def objective_lines(db: Session, consultation: Consultation) -> list[Line]:
    """The matrix rows: the framework's objectives, then fuori-strategia and unassigned."""
    return [Line(o.code, o.title) for o in framework.objectives(db, consultation.framework_id)]


def meetings_of(db: Session, consultation_id: int) -> list[Meeting]:
    """The consultation's meetings in calendar order (the matrix's meeting filter)."""
    query = (
        select(Meeting)
        .where(Meeting.consultation_id == consultation_id)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return list(db.exec(query))


def province_of(db: Session) -> dict[int, Territory]:
    """Each territory's province (ambiti and distretti roll up into theirs)."""
    territories = {stored_id(t): t for t in db.exec(select(Territory)).all()}
    result: dict[int, Territory] = {}
    for territory_id, territory in territories.items():
        current, hops = territory, 0
        while current.kind != "province" and hops < 5:
            if current.parent_id is None or current.parent_id not in territories:
                break
            current, hops = territories[current.parent_id], hops + 1
        if current.kind == "province":
            result[territory_id] = current
    return result


def build_matrix(
    db: Session,
    consultation: Consultation,
    *,
    dimension: str = "territory",
    filters: Filters = Filters(),
    threshold: float = DEFAULT_THRESHOLD,
    off_strategy_label: str = "Fuori strategia",
    unmapped_label: str = "Non assegnate",
    no_territory_label: str = "Territorio non indicato",
) -> Matrix:
    """Count published proposals per objective (rows) and territory or channel (columns)."""
    contributions = filtered_contributions(db, consultation, filters)
    assignments = assign_objectives(db, contributions, threshold=threshold)
    objective_codes = framework.objective_codes(db)
    rows = [
        *objective_lines(db, consultation),
        Line(OFF_STRATEGY_CODE, off_strategy_label),
        Line(UNMAPPED_CODE, unmapped_label),
    ]
    if dimension == "channel":
        columns = [Line(channel, channel) for channel in CHANNELS]
        column_of = {stored_id(c): c.channel for c in contributions}
    else:
        columns, column_of = _territory_columns(db, contributions, no_territory_label)
    cells: Counter = Counter()
    column_totals: Counter = Counter()
    for contribution in contributions:
        contribution_id = stored_id(contribution)
        column = column_of[contribution_id]
        column_totals[column] += 1
        for row in _row_codes(assignments[contribution_id], objective_codes):
            cells[(row, column)] += 1
    for line in columns:
        line.total = column_totals[line.code]
    for line in rows:
        line.total = sum(cells[(line.code, c.code)] for c in columns)
    return Matrix(
        rows,
        columns,
        dict(cells),
        len(contributions),
        max(cells.values(), default=0),
        dimension,
        assignments,
    )


def _row_codes(assignment: Assignment, objective_codes: dict[int, str]) -> list[str]:
    if assignment.is_unmapped:
        return [UNMAPPED_CODE]
    return [
        OFF_STRATEGY_CODE if oid is None else objective_codes[oid]
        for oid in assignment.objective_ids
    ]


def _territory_columns(db: Session, contributions, no_territory_label: str):
    provinces = province_of(db)
    columns = [
        Line(t.code, t.name)
        for t in sorted({p.id: p for p in provinces.values()}.values(), key=lambda t: t.name)
    ]
    column_of = {}
    for contribution in contributions:
        province = provinces.get(contribution.territory_id)
        column_of[contribution.id] = province.code if province else NO_TERRITORY_CODE
    if NO_TERRITORY_CODE in column_of.values():
        columns.append(Line(NO_TERRITORY_CODE, no_territory_label))
    return columns, column_of
