"""Reviewing objective mappings: the model suggests, planners confirm or correct.

A planner's mapping of a proposal is not tied to a run (run_id NULL), so it outlives refits and
feeds the next run's supervised step; a planner's mapping of a theme is carried to the theme's
successor by `theme_decisions.carry_over`.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from consult.analysis.models import AnalysisRun, ObjectiveMapping, Theme
from consult.analysis.rows import stored_id
from consult.common import audit
from consult.common.models import utcnow
from consult.proposals.models import Contribution


@dataclass
class Suggestion:
    objective_id: int | None
    confidence: float
    source: str
    confirmed_by_id: int | None = None


@dataclass
class ReviewItem:
    kind: str  # "theme" or "contribution"
    target: Theme | Contribution
    suggestions: list[Suggestion]

    @property
    def top(self) -> Suggestion | None:
        return self.suggestions[0] if self.suggestions else None

    @property
    def confirmed(self) -> bool:
        return bool(self.suggestions) and self.suggestions[0].source == "planner"


def _suggestions(rows: list[ObjectiveMapping]) -> list[Suggestion]:
    planner = [r for r in rows if r.source == "planner"]
    chosen = planner[-1:] if planner else sorted(rows, key=lambda r: -r.confidence)
    return [Suggestion(r.objective_id, r.confidence, r.source, r.confirmed_by_id) for r in chosen]


def theme_items(db: Session, run: AnalysisRun) -> list[ReviewItem]:
    themes = db.exec(
        select(Theme)
        .where(Theme.run_id == run.id, col(Theme.status).not_in(("merged", "discarded")))
        .order_by(col(Theme.size).desc())
    ).all()
    rows = db.exec(
        select(ObjectiveMapping)
        .where(col(ObjectiveMapping.theme_id).in_([t.id for t in themes]))
        .order_by(col(ObjectiveMapping.id))
    ).all()
    by_theme: dict[int | None, list[ObjectiveMapping]] = {}
    for row in rows:
        by_theme.setdefault(row.theme_id, []).append(row)
    return [ReviewItem("theme", t, _suggestions(by_theme.get(t.id, []))) for t in themes]


def contribution_items(db: Session, run: AnalysisRun) -> list[ReviewItem]:
    """Every proposal with a suggestion of this run or a planner's mapping (the page reads
    `contribution_page` and `contribution_queue`, which give the same items piece by piece)."""
    return _items_of(db, run, None)


def _reviewed(run: AnalysisRun):
    """The mapping rows a proposal's review item is made of: this run's and planners'."""
    return (ObjectiveMapping.run_id == run.id) | (ObjectiveMapping.source == "planner")


def _contribution_rows(run: AnalysisRun):
    """Those rows of the run's consultation's proposals, joined to the proposal."""
    return (
        col(ObjectiveMapping.contribution_id).is_not(None),
        _reviewed(run),
        col(Contribution.id) == ObjectiveMapping.contribution_id,
        Contribution.consultation_id == run.consultation_id,
    )


def contribution_page(
    db: Session, run: AnalysisRun, page: int, size: int
) -> tuple[list[ReviewItem], int]:
    """One page of `contribution_items` in proposal order, and how many there are in all:
    the page's rows only, so the review costs the same with 300 or 100,000 proposals."""
    conditions = _contribution_rows(run)
    total = db.exec(
        select(func.count(func.distinct(ObjectiveMapping.contribution_id))).where(*conditions)
    ).one()
    ids = db.exec(
        select(ObjectiveMapping.contribution_id)
        .where(*conditions)
        .group_by(col(ObjectiveMapping.contribution_id))
        .order_by(col(ObjectiveMapping.contribution_id))
        .offset(max(0, page - 1) * size)
        .limit(size)
    ).all()
    return _items_of(db, run, [i for i in ids if i is not None]), total


def contribution_queue(
    db: Session, run: AnalysisRun, threshold: float, limit: int
) -> list[ReviewItem]:
    """The `limit` least sure proposals of `queue(contribution_items(...))`, found in SQL:
    no planner's mapping, best suggestion under `threshold`, least sure (then oldest) first."""
    conditions = _contribution_rows(run)
    confirmed = select(ObjectiveMapping.contribution_id).where(
        ObjectiveMapping.source == "planner", col(ObjectiveMapping.contribution_id).is_not(None)
    )
    best = func.max(ObjectiveMapping.confidence)
    found = db.exec(
        select(ObjectiveMapping.contribution_id)
        .where(*conditions, col(ObjectiveMapping.contribution_id).not_in(confirmed))
        .group_by(col(ObjectiveMapping.contribution_id))
        .having(best < threshold)
        .order_by(best, col(ObjectiveMapping.contribution_id))
        .limit(limit)
    ).all()
    ids = [i for i in found if i is not None]
    items = {stored_id(i.target): i for i in _items_of(db, run, ids)}
    return [items[i] for i in ids if i in items]


def _items_of(db: Session, run: AnalysisRun, ids: list[int] | None) -> list[ReviewItem]:
    """The review items of these proposals (None: all of them), in id order."""
    if ids is not None and not ids:
        return []
    chosen = [col(ObjectiveMapping.contribution_id).in_(ids)] if ids is not None else []
    rows = db.exec(
        select(ObjectiveMapping)
        .where(
            col(ObjectiveMapping.contribution_id).is_not(None),
            *chosen,
            _reviewed(run),
        )
        .order_by(col(ObjectiveMapping.id))
    ).all()
    by_contribution: dict[int | None, list[ObjectiveMapping]] = {}
    for row in rows:
        by_contribution.setdefault(row.contribution_id, []).append(row)
    contributions = db.exec(
        select(Contribution)
        .where(
            col(Contribution.id).in_(list(by_contribution)),
            Contribution.consultation_id == run.consultation_id,
        )
        .order_by(col(Contribution.id))
    ).all()
    return [
        ReviewItem("contribution", c, _suggestions(by_contribution[c.id])) for c in contributions
    ]


def queue(items: list[ReviewItem], threshold: float) -> list[ReviewItem]:
    """Unconfirmed items whose best suggestion is below `threshold`, least sure first."""
    low = [i for i in items if not i.confirmed and (i.top is None or i.top.confidence < threshold)]
    return sorted(low, key=lambda i: i.top.confidence if i.top else -1.0)


def confirm(
    db: Session,
    *,
    objective_id: int | None,
    actor_id: int,
    theme: Theme | None = None,
    contribution: Contribution | None = None,
) -> ObjectiveMapping:
    """Record the planner's mapping (None = fuori-strategia), replacing an earlier one."""
    target = _target(theme, contribution)
    existing = db.exec(
        select(ObjectiveMapping).where(
            ObjectiveMapping.source == "planner",
            *[getattr(ObjectiveMapping, k) == v for k, v in target.items()],
        )
    ).first()
    before = {"objective_id": existing.objective_id} if existing else _model_top(db, target)
    row = existing or ObjectiveMapping(
        source="planner",
        theme_id=target.get("theme_id"),
        contribution_id=target.get("contribution_id"),
    )
    row.objective_id = objective_id
    row.confidence = 1.0
    row.confirmed_by_id = actor_id
    row.confirmed_at = utcnow()
    row.run_id = theme.run_id if theme else None
    db.add(row)
    if theme is not None:
        theme.is_off_strategy = objective_id is None
        db.add(theme)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="mapping.confirm",
        entity_type="theme" if theme else "contribution",
        entity_id=theme.stable_key if theme else target["contribution_id"],
        before=before,
        after={"objective_id": objective_id},
    )
    return row


def _target(theme: Theme | None, contribution: Contribution | None) -> dict[str, int]:
    """The mapping's column and key: the theme's, else the proposal's."""
    if theme is not None:
        return {"theme_id": stored_id(theme)}
    if contribution is not None:
        return {"contribution_id": stored_id(contribution)}
    raise ValueError("a mapping is confirmed for a theme or a proposal")


def _model_top(db: Session, target: dict) -> dict:
    row = db.exec(
        select(ObjectiveMapping)
        .where(
            ObjectiveMapping.source == "model",
            *[getattr(ObjectiveMapping, k) == v for k, v in target.items()],
        )
        .order_by(col(ObjectiveMapping.confidence).desc(), col(ObjectiveMapping.id))
    ).first()
    if row is None:
        return {"objective_id": None, "confidence": None}
    return {"objective_id": row.objective_id, "confidence": row.confidence, "source": "model"}
