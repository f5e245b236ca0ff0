"""Which objective and theme a new proposal belongs to, without a refit, for live sessions.

The current AnalysisRun's saved model (`model_path`) assigns a new text to the run's themes
and objectives (nlp's `ThemeModel.assign`; loaded once per process by `nlp_runtime`, replaced
when the current run changes). Without a usable model the only signal is the objective the
author suggested. `record` stores the assignment of approved proposals as the current run's
model mappings and primary theme membership, so the one rule of `objective_assignment` (a
planner's mapping, else the model's at or above the threshold, ...) and the planners' theme
pages count them before the next refit, which replaces them like every other model row.
"""

import logging
from collections.abc import Iterable

from sqlmodel import Session, col, delete, select

from consult.analysis import nlp_runtime
from consult.analysis.assignment import DEFAULT_THRESHOLD, current_run
from consult.analysis.embedding_store import SessionEmbeddingCache
from consult.analysis.models import AnalysisRun, ContributionTheme, ObjectiveMapping, Theme
from consult.analysis.rows import existing, stored_id
from consult.framework.models import OFF_STRATEGY_CODE, Consultation, Objective
from consult.proposals.models import Contribution

log = logging.getLogger(__name__)
OUTLIER = -1


def objective_for(
    text: str,
    suggested_code: str | None = None,
    *,
    model_path: str | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[str, float] | None:
    """The objective code of `text` with a confidence in 0..1, or None when unknown.

    The model's best objective (fuori-strategia included) when it is at least `threshold`
    confident, as in `objective_assignment`; else the author's suggestion.
    """
    model = nlp_runtime.theme_model(model_path)
    if model is not None and model.mapper is not None:
        assignment = _assign(model, model_path, [text])
        if assignment and assignment[0].objectives:
            best = assignment[0].objectives[0]
            if best.confidence >= threshold:
                return best.code, float(best.confidence)
    if suggested_code:
        return suggested_code, 1.0
    return None


def warm(db: Session, consultation_id: int):
    """Start loading the current run's model while a facilitator opens the queue or projector."""
    run = current_run(db, consultation_id)
    return nlp_runtime.warm(run.model_path) if run is not None else None


def _assign(model, model_path, texts, cache=None) -> list | None:
    try:
        return nlp_runtime.assign(model, model_path, texts, cache)
    except Exception:  # the projector and the moderation queue must keep working
        log.warning("live assignment failed; falling back", exc_info=True)
        return None


def record(db: Session, contributions: Iterable[Contribution]) -> int:
    """Store the current model's objectives and theme for published proposals it has not seen."""
    published = [c for c in contributions if c.status == "published"]
    if not published:
        return 0
    run = current_run(db, published[0].consultation_id)
    model = nlp_runtime.theme_model(run.model_path if run else None)
    if run is None or model is None:
        return 0
    fresh = [c for c in published if not _seen_by(db, run, stored_id(c))]
    if not fresh:
        return 0
    cache = SessionEmbeddingCache(db)
    assignments = _assign(model, run.model_path, [c.text for c in fresh], cache)
    if assignments is None:
        return 0
    themes = {t.model_topic: t for t in db.exec(select(Theme).where(Theme.run_id == run.id))}
    codes = _objective_ids(db, published[0].consultation_id)
    for contribution, assignment in zip(fresh, assignments, strict=True):
        _store(db, run, stored_id(contribution), assignment, themes, codes)
    db.flush()
    return len(fresh)


def reassign(db: Session, contribution: Contribution) -> int:
    """After a correction: forget the current run's model rows of the proposal, assign again."""
    run = current_run(db, contribution.consultation_id)
    if run is None:
        return 0
    db.exec(
        delete(ObjectiveMapping).where(
            col(ObjectiveMapping.contribution_id) == contribution.id,
            col(ObjectiveMapping.source) == "model",
            col(ObjectiveMapping.run_id) == run.id,
        )
    )
    for membership in _memberships(db, run, stored_id(contribution)):
        db.delete(membership)
    db.flush()
    return record(db, [contribution])


def _seen_by(db: Session, run: AnalysisRun, contribution_id: int) -> bool:
    """Whether the run fitted the proposal or already assigned it."""
    mapped = db.exec(
        select(ObjectiveMapping.id).where(
            ObjectiveMapping.contribution_id == contribution_id,
            ObjectiveMapping.source == "model",
            ObjectiveMapping.run_id == run.id,
        )
    ).first()
    return mapped is not None or bool(_memberships(db, run, contribution_id))


def _memberships(db: Session, run: AnalysisRun, contribution_id: int) -> list[ContributionTheme]:
    run_themes = select(Theme.id).where(Theme.run_id == run.id)
    return list(
        db.exec(
            select(ContributionTheme).where(
                ContributionTheme.contribution_id == contribution_id,
                col(ContributionTheme.theme_id).in_(run_themes),
            )
        )
    )


def _objective_ids(db: Session, consultation_id: int) -> dict[str, int]:
    consultation = existing(db, Consultation, consultation_id)
    objectives = db.exec(
        select(Objective).where(Objective.framework_id == consultation.framework_id)
    )
    return {o.code: stored_id(o) for o in objectives}


def _store(db, run, contribution_id, assignment, themes, codes) -> None:
    for match in assignment.objectives:
        if match.code != OFF_STRATEGY_CODE and match.code not in codes:
            continue  # an objective the framework no longer has
        db.add(
            ObjectiveMapping(
                contribution_id=contribution_id,
                objective_id=codes.get(match.code),  # None: fuori-strategia
                confidence=round(float(match.confidence), 4),
                source="model",
                run_id=run.id,
            )
        )
    theme = themes.get(assignment.theme) if assignment.theme != OUTLIER else None
    if theme is not None:
        db.add(
            ContributionTheme(
                contribution_id=contribution_id,
                theme_id=theme.id,
                probability=round(float(assignment.probability), 4),
                is_primary=True,
            )
        )
        theme.size += 1
        db.add(theme)
