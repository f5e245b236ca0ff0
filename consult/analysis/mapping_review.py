"""Reviewing objective mappings: the model suggests, planners confirm or correct.

A planner's mapping of a proposal is not tied to a run (run_id NULL), so it outlives refits and
feeds the next run's supervised step; a planner's mapping of a theme is carried to the theme's
successor by `theme_decisions.carry_over`.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

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
    rows = db.exec(
        select(ObjectiveMapping)
        .where(
            col(ObjectiveMapping.contribution_id).is_not(None),
            (ObjectiveMapping.run_id == run.id) | (ObjectiveMapping.source == "planner"),
        )
        .order_by(col(ObjectiveMapping.id))
    ).all()
    by_contribution: dict[int | None, list[ObjectiveMapping]] = {}
    for row in rows:
        by_contribution.setdefault(row.contribution_id, []).append(row)
    contributions = db.exec(
        select(Contribution).where(
            col(Contribution.id).in_(list(by_contribution)),
            Contribution.consultation_id == run.consultation_id,
        )
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
