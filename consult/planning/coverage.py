"""Objectives by territory or channel: which parts of the strategy and of the region are heard.

Counts published proposals. A proposal counts once in each objective it is assigned to (see
`objective_assignment`), so a column can add up to more than its number of proposals; column
shares are therefore shares of that column's proposals.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from consult.analysis import assignment_store
from consult.analysis.assignment import DEFAULT_THRESHOLD, Assignment
from consult.analysis.models import ContributionAssignment
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
    article: str = ""  # territories: for "nella Città metropolitana di Torino"
    kind: str = ""


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
    query = select(Contribution).where(*kept(consultation, filters))
    return list(db.exec(query.order_by(col(Contribution.id))).all())


def kept(consultation: Consultation, filters: Filters = Filters()) -> list[Any]:
    """SQL conditions on `Contribution`: published, of the consultation, within the filters."""
    conditions: list[Any] = [
        Contribution.consultation_id == consultation.id,
        Contribution.status == "published",
    ]
    if filters.since:
        since = datetime.combine(filters.since, time.min, LOCAL_TIME)
        conditions.append(col(Contribution.created_at) >= since)
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, LOCAL_TIME)
        conditions.append(col(Contribution.created_at) < end)
    if filters.meeting_id:
        conditions.append(Contribution.meeting_id == filters.meeting_id)
    return conditions


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


def province_of(db: Session, framework_id: int) -> dict[int, Territory]:
    """Each of the framework's territories' province (ambiti and distretti roll up into
    theirs): the matrix's columns are the consultation's provinces, not every framework's."""
    territories = {stored_id(t): t for t in framework.territories(db, framework_id)}
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
    db: Session, consultation: Consultation, *, dimension: str = "territory", **options: Any
) -> Matrix:
    """Count published proposals per objective (rows) and territory or channel (columns).

    Two grouped queries over the stored assignments (`analysis.assignment_store`), whatever
    the number of proposals. `options` are `build_matrices`' (filters, threshold, labels,
    `only_row`: a row code whose cells alone are counted, through the assignments' objective
    index, as an objective's public page does; the other rows stay empty).
    """
    return build_matrices(db, consultation, dimensions=(dimension,), **options)[dimension]


def build_matrices(
    db: Session,
    consultation: Consultation,
    *,
    dimensions: tuple[str, ...] = ("territory", "channel"),
    filters: Filters = Filters(),
    threshold: float = DEFAULT_THRESHOLD,
    off_strategy_label: str = "Fuori strategia",
    unmapped_label: str = "Non assegnate",
    no_territory_label: str = "Territorio non indicato",
    only_row: str | None = None,
) -> dict[str, Matrix]:
    """`build_matrix` for several dimensions at once: the stored assignments are read in one
    query grouped by every dimension (an objective's page shows territories and channels, and
    on PostgreSQL each read of an objective's 20,000 rows at 100,000 proposals costs ~80 ms)."""
    objective_codes = framework.objective_codes(db)
    conditions = kept(consultation, filters)
    keys = [_dimension_key(d) for d in dimensions]
    only = _row_condition(db, consultation, only_row) if only_row else None
    counts = _assignment_counts(db, conditions, keys, threshold, only)
    lines = objective_lines(db, consultation)
    result = {}
    for index, dimension in enumerate(dimensions):
        rows = [
            *(Line(line.code, line.label, kind=line.kind) for line in lines),
            Line(OFF_STRATEGY_CODE, off_strategy_label),
            Line(UNMAPPED_CODE, unmapped_label),
        ]
        key = keys[index]
        if dimension == "channel":
            columns = [Line(channel, channel) for channel in CHANNELS]
            column_code: Any = str
        else:
            provinces = province_of(db, consultation.framework_id)
            columns = _province_lines(provinces)
            column_code = _province_code(provinces)
        column_totals: Counter = Counter()
        for value, count in db.exec(
            select(col(key), func.count()).where(*conditions).group_by(col(key))
        ).all():
            column_totals[column_code(value)] += count
        if dimension != "channel" and column_totals[NO_TERRITORY_CODE]:
            columns.append(Line(NO_TERRITORY_CODE, no_territory_label))
        cells: Counter = Counter()
        for objective_id, source, *values, count in counts:
            row_code = _row_code(objective_id, source, objective_codes)
            cells[(row_code, column_code(values[index]))] += count
        for line in columns:
            line.total = column_totals[line.code]
        for line in rows:
            line.total = sum(cells[(line.code, c.code)] for c in columns)
        result[dimension] = Matrix(
            rows,
            columns,
            dict(cells),
            sum(column_totals.values()),
            max(cells.values(), default=0),
            dimension,
        )
    return result


def _dimension_key(dimension: str):
    return Contribution.channel if dimension == "channel" else Contribution.territory_id


def _assignment_counts(db: Session, conditions: list, keys: list, threshold: float, only=None):
    """(objective_id, source, *column values, proposals) over the counted stored rows."""
    row = ContributionAssignment
    wanted = [assignment_store.counted(threshold), *([only] if only is not None else [])]
    groups = [col(row.objective_id), col(row.source), *(col(k) for k in keys)]
    query = (
        sa_select(*groups, func.count())
        .join(Contribution, col(Contribution.id) == row.contribution_id)
        .where(*conditions, *wanted)
        .group_by(*groups)
    )
    return list(db.execute(query).all())


def _row_condition(db: Session, consultation: Consultation, code: str):
    """The stored rows of one matrix row: an objective, fuori-strategia or unassigned."""
    row = ContributionAssignment
    if code == UNMAPPED_CODE:
        return col(row.source) == "unmapped"
    if code == OFF_STRATEGY_CODE:
        return and_(col(row.objective_id).is_(None), col(row.source) != "unmapped")
    objective = framework.objective_by_code(db, consultation.framework_id, code)
    return col(row.objective_id) == (objective.id if objective else -1)


def _row_code(objective_id: int | None, source: str, objective_codes: dict[int, str]) -> str:
    if source == "unmapped":
        return UNMAPPED_CODE
    return OFF_STRATEGY_CODE if objective_id is None else objective_codes[objective_id]


def _province_lines(provinces: dict[int, Territory]) -> list[Line]:
    return [
        Line(t.code, t.name, article=t.article, kind=t.kind)
        for t in sorted({p.id: p for p in provinces.values()}.values(), key=lambda t: t.name)
    ]


def _province_code(provinces: dict[int, Territory]):
    def code(territory_id: int | None) -> str:
        province = provinces.get(territory_id) if territory_id is not None else None
        return province.code if province else NO_TERRITORY_CODE

    return code
