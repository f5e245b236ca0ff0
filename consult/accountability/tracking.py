"""A proposal's journey for its author: received, moderated, themed, mapped, answered."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from consult.accountability.answers import Answer, answers_for
from consult.analysis.assignment import assign_one
from consult.analysis.models import ContributionTheme, Theme
from consult.common import audit
from consult.framework.models import Objective
from consult.meetings.models import LiveSession
from consult.meetings.services import get_live_session
from consult.proposals.models import Comment, Contribution
from consult.proposals.search import current_run_id, support_counts


@dataclass(frozen=True)
class MappedObjective:
    objective: Objective | None  # None: fuori strategia
    confirmed: bool


@dataclass
class Journey:
    contribution: Contribution
    merged_into: Contribution | None = None
    themes: list[Theme] = field(default_factory=list)
    objectives: list[MappedObjective] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    supports: int = 0
    comments: int = 0

    @property
    def last_change(self) -> datetime | None:
        dates = [self.contribution.created_at, self.contribution.published_at]
        dates += [a.response.published_at for a in self.answers]
        return max((d for d in dates if d is not None), default=None)


def journey(db: Session, contribution: Contribution) -> Journey:
    """Everything the author may know about what became of their proposal."""
    themes = _current_themes(db, contribution)
    objectives = _objectives(db, contribution)
    merged = (
        db.get(Contribution, contribution.merged_into_id)
        if contribution.status == "merged" and contribution.merged_into_id
        else None
    )
    comment_count = len(
        db.exec(
            select(Comment.id).where(
                Comment.contribution_id == contribution.id, Comment.status == "published"
            )
        ).all()
    )
    return Journey(
        contribution=contribution,
        merged_into=merged,
        themes=themes,
        objectives=objectives,
        answers=answers_for(db, contribution),
        supports=support_counts(db, [contribution.id]).get(contribution.id or 0, 0),
        comments=comment_count,
    )


def _current_themes(db: Session, contribution: Contribution) -> list[Theme]:
    run_id = current_run_id(db, contribution.consultation_id)
    if run_id is None:
        return []
    rows = db.exec(
        select(Theme, ContributionTheme)
        .join(ContributionTheme, col(ContributionTheme.theme_id) == Theme.id)
        .where(
            ContributionTheme.contribution_id == contribution.id,
            Theme.run_id == run_id,
            Theme.status != "discarded",
        )
        .order_by(
            col(ContributionTheme.is_primary).desc(), col(ContributionTheme.probability).desc()
        )
    ).all()
    return [theme for theme, _membership in rows]


def _objectives(db: Session, contribution: Contribution) -> list[MappedObjective]:
    """The objectives the proposal counts for, by the one rule the public counts use."""
    assignment = assign_one(db, contribution)
    confirmed = assignment.source in ("planner", "theme-planner")
    titles = {
        o.id: o
        for o in db.exec(
            select(Objective).where(
                col(Objective.id).in_([i for i in assignment.objective_ids if i is not None])
            )
        )
    }
    return [
        MappedObjective(titles.get(objective_id) if objective_id else None, confirmed)
        for objective_id in assignment.objective_ids
    ]


def open_live_session(db: Session, contribution: Contribution) -> LiveSession | None:
    """The live session the proposal came from, while it is still open (the receipt links back)."""
    if contribution.live_session_id is None:
        return None
    live = get_live_session(db, contribution.live_session_id)
    return live if live is not None and live.status == "open" else None


def attach_to_account(db: Session, contribution: Contribution, user_id: int) -> bool:
    """Make a proposal the account's, proved by its private tracking link; False when it
    already belongs to another account (the link cannot take it from its author)."""
    if contribution.author_id not in (None, user_id):
        return False
    if contribution.author_id is None:
        contribution.author_id = user_id
        db.add(contribution)
        audit.record(
            db,
            actor_id=user_id,
            action="contribution.attached-to-account",
            entity_type="contribution",
            entity_id=contribution.id or 0,
        )
    return True
