"""Which public answers concern a proposal, and through what: itself, its theme, its objective.

A participant reading a proposal (or its card in a list) sees the Region's answer wherever it
was given: to the proposal, to a theme of the current analysis the proposal belongs to, or to an
objective the proposal counts for by the one assignment rule.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from consult.accountability.models import Response
from consult.accountability.responses import public_query
from consult.analysis.assignment import assign_objectives
from consult.analysis.models import ContributionTheme, Theme
from consult.framework import services as framework
from consult.proposals.models import Contribution
from consult.proposals.search import current_run_id

CONCERNS = ("proposal", "theme", "objective")


@dataclass(frozen=True)
class Answer:
    """A published answer and what it answered, for the sentence "Risposta al tema «…»"."""

    response: Response
    concerns: str  # one of CONCERNS
    about: str = ""  # the theme's or the objective's name


def answers_for(db: Session, contribution: Contribution) -> list[Answer]:
    """Published answers concerning one proposal, the most direct first."""
    themes = _themes_of(db, contribution.consultation_id, [contribution.id or 0])
    keys = {t.stable_key: t for t in themes.get(contribution.id or 0, [])}
    assignment = assign_objectives(db, [contribution]).get(contribution.id or 0)
    objective_ids = [o for o in (assignment.objective_ids if assignment else ()) if o]
    conditions: list[ColumnElement[bool]] = [col(Response.contribution_id) == contribution.id]
    if keys:
        conditions.append(col(Response.theme_stable_key).in_(list(keys)))
    if objective_ids:
        conditions.append(col(Response.objective_id).in_(objective_ids))
    responses = db.exec(public_query(db, contribution.consultation_id).where(or_(*conditions)))
    titles = framework.objective_titles(db) if objective_ids else {}
    found = []
    for response in responses:
        if response.contribution_id == contribution.id:
            found.append(Answer(response, "proposal"))
        elif response.theme_stable_key in keys:
            found.append(Answer(response, "theme", keys[response.theme_stable_key].display_label))
        elif response.objective_id in objective_ids:
            found.append(Answer(response, "objective", titles[response.objective_id]))
    return sorted(found, key=lambda a: CONCERNS.index(a.concerns))


def answered_ids(db: Session, contributions: list[Contribution]) -> set[int]:
    """Which of these proposals a published answer concerns (an account's may span several
    consultations: each is asked on its own)."""
    by_consultation: dict[int, list[Contribution]] = {}
    for contribution in contributions:
        by_consultation.setdefault(contribution.consultation_id, []).append(contribution)
    found: set[int] = set()
    for consultation_id, group in by_consultation.items():
        found |= _answered_in(db, consultation_id, group)
    return found


def _answered_in(db: Session, consultation_id: int, contributions: list[Contribution]) -> set[int]:
    ids = [c.id for c in contributions if c.id is not None]
    published = public_query(db, consultation_id)
    answered = {
        r.contribution_id
        for r in db.exec(published.where(col(Response.contribution_id).in_(ids)))
        if r.contribution_id is not None
    }
    keys = {
        r.theme_stable_key
        for r in db.exec(published.where(col(Response.theme_stable_key).is_not(None)))
    }
    if keys:
        for cid, themes in _themes_of(db, consultation_id, ids).items():
            if any(t.stable_key in keys for t in themes):
                answered.add(cid)
    objective_ids = {
        r.objective_id for r in db.exec(published.where(col(Response.objective_id).is_not(None)))
    }
    if objective_ids:
        for cid, assignment in assign_objectives(db, contributions).items():
            if objective_ids.intersection(assignment.objective_ids):
                answered.add(cid)
    return answered


def _themes_of(db: Session, consultation_id: int, ids: list[int]) -> dict[int, list[Theme]]:
    """The current analysis's live themes of each proposal (discarded themes answer nothing)."""
    run_id = current_run_id(db, consultation_id)
    if run_id is None or not ids:
        return {}
    rows = db.exec(
        select(ContributionTheme.contribution_id, Theme)
        .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
        .where(
            col(ContributionTheme.contribution_id).in_(ids),
            Theme.run_id == run_id,
            Theme.status != "discarded",
        )
    ).all()
    found: dict[int, list[Theme]] = {}
    for contribution_id, theme in rows:
        found.setdefault(contribution_id, []).append(theme)
    return found
