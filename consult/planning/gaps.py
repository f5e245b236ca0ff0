"""Gap alerts: objectives and territories with little input, to steer the next meetings."""

from dataclasses import dataclass

from consult.framework.models import OFF_STRATEGY_CODE
from consult.planning.coverage import NO_TERRITORY_CODE, UNMAPPED_CODE, Line, Matrix

NON_OBJECTIVE_ROWS = (OFF_STRATEGY_CODE, UNMAPPED_CODE)


@dataclass(frozen=True)
class Thresholds:
    """An objective or territory is under-heard below `min_proposals`; a cell is when it holds
    less than `min_share` of the proposals expected from the objective's share elsewhere."""

    min_proposals: int = 5
    min_share: float = 0.5


@dataclass(frozen=True)
class Gap:
    kind: str  # "objective", "territory" or "cell"
    row: Line | None
    column: Line | None
    actual: int
    expected: float

    @property
    def deficit(self) -> float:
        return self.expected - self.actual


def find_gaps(matrix: Matrix, thresholds: Thresholds = Thresholds()) -> list[Gap]:
    """Under-heard objectives, then territories, then objective x territory cells, worst first."""
    objectives = [r for r in matrix.rows if r.code not in NON_OBJECTIVE_ROWS]
    columns = [c for c in matrix.columns if c.code != NO_TERRITORY_CODE]
    gaps = [
        Gap("objective", row, None, row.total, float(thresholds.min_proposals))
        for row in objectives
        if row.total < thresholds.min_proposals
    ]
    gaps += [
        Gap("territory", None, column, column.total, float(thresholds.min_proposals))
        for column in columns
        if column.total < thresholds.min_proposals
    ]
    gaps += sorted(_cell_gaps(matrix, objectives, columns, thresholds), key=lambda g: -g.deficit)
    return gaps


def _cell_gaps(matrix: Matrix, objectives, columns, thresholds: Thresholds) -> list[Gap]:
    """Cells far below what the objective's overall share predicts for that column's size."""
    if not matrix.proposals:
        return []
    gaps = []
    for row in objectives:
        if row.total < thresholds.min_proposals:
            continue  # already an objective-level alert
        share = row.total / matrix.proposals
        for column in columns:
            if column.total < thresholds.min_proposals:
                continue  # already a territory-level alert
            expected = column.total * share
            actual = matrix.count(row.code, column.code)
            if expected >= 1 and actual < thresholds.min_share * expected:
                gaps.append(Gap("cell", row, column, actual, round(expected, 1)))
    return gaps
