"""Reads of stored runs for the planners' pages, so their views run no query of their own."""

from sqlmodel import Session, col, select

from consult.accounts.models import User
from consult.analysis.models import AnalysisRun, Theme
from consult.framework.models import Objective
from consult.proposals.models import Contribution


def theme_by_key(db: Session, run_id: int, stable_key: str) -> Theme | None:
    """The run's theme with this stable key."""
    return db.exec(
        select(Theme).where(Theme.run_id == run_id, Theme.stable_key == stable_key)
    ).first()


def objectives(db: Session, framework_id: int) -> list[Objective]:
    """The framework's objectives in their order."""
    return list(
        db.exec(
            select(Objective)
            .where(Objective.framework_id == framework_id)
            .order_by(col(Objective.position))
        ).all()
    )


def unmerged_themes(db: Session, run_id: int) -> list[Theme]:
    """The run's themes that still stand on their own (discarded ones included), largest first."""
    return list(
        db.exec(
            select(Theme)
            .where(Theme.run_id == run_id, Theme.status != "merged")
            .order_by(col(Theme.size).desc(), col(Theme.id))
        )
    )


def proposals_in_order(db: Session, ids: list[int]) -> list[Contribution]:
    """These proposals, in the order of `ids` (a theme's: representative and likeliest first)."""
    rows = {c.id: c for c in db.exec(select(Contribution).where(col(Contribution.id).in_(ids)))}
    return [rows[i] for i in ids if i in rows]


def page_count(total: int, size: int) -> int:
    """How many pages of `size` hold `total` items (at least one, an empty list's)."""
    return max(1, -(-total // size))


def page_of(ids: list[int], page: int, size: int) -> list[int]:
    """The ids of page `page` (from 1) of `size`: a theme of a large consultation has thousands
    of proposals, and a page loads only its own."""
    start = (max(1, page) - 1) * size
    return ids[start : start + size]


def proposal_of(db: Session, consultation_id: int, contribution_id: int) -> Contribution | None:
    """A proposal, only if it belongs to this consultation."""
    contribution = db.get(Contribution, contribution_id)
    if contribution is None or contribution.consultation_id != consultation_id:
        return None
    return contribution


def starters(db: Session, runs: list[AnalysisRun]) -> dict[int | None, User]:
    """Who started each run, by user id (runs started from the command line have none)."""
    ids = [r.started_by_id for r in runs if r.started_by_id]
    return {u.id: u for u in db.exec(select(User).where(col(User.id).in_(ids)))}
