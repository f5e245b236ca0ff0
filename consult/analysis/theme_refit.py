"""Saving a run: new themes, memberships and mappings, planners' decisions carried over.

All of it happens in the caller's ONE transaction, which also flips `is_current`: a run that
fails before the commit leaves the previous themes current and untouched.
"""

import time

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult.analysis import assignment, summaries, theme_decisions, theme_engine
from consult.analysis.corpus import Corpus
from consult.analysis.models import AnalysisRun, ContributionTheme, ObjectiveMapping, Theme
from consult.analysis.rows import existing, stored_id
from consult.analysis.theme_decisions import new_stable_key
from consult.analysis.theme_engine import EngineResult
from consult.common.models import utcnow
from consult.framework.models import OFF_STRATEGY_CODE


def match_previous(engine: Engine, corpus: Corpus, result: EngineResult) -> dict[int, str]:
    """Stable keys of the previous run's model themes, by new model topic."""
    with Session(engine) as db:
        previous = assignment.current_run(db, corpus.consultation_id)
        if previous is None:
            return {}
        rows = db.exec(
            select(Theme.stable_key, ContributionTheme.contribution_id)
            .join(ContributionTheme, col(ContributionTheme.theme_id) == Theme.id)
            .where(
                Theme.run_id == previous.id,
                col(Theme.model_topic) >= 0,
                ContributionTheme.is_primary,
            )
        ).all()
    before: dict[str, set[int]] = {}
    for key, contribution_id in rows:
        before.setdefault(key, set()).add(contribution_id)
    return theme_engine.match_identities(before, result, corpus.contribution_ids)


def save(
    db: Session,
    run_id: int,
    corpus: Corpus,
    result: EngineResult,
    identities: dict[int, str],
    timings: dict[str, float],
    *,
    model_path: str | None = None,
) -> list[Theme]:
    """Write the run's themes and make it current, all in the caller's transaction."""
    started = time.perf_counter()
    run = existing(db, AnalysisRun, run_id)
    previous = assignment.current_run(db, corpus.consultation_id)
    themes = _create_themes(db, run, corpus, result, identities)
    _store_model_mappings(db, run, corpus, result, themes)
    if previous is not None:
        theme_decisions.carry_over(db, previous, run)
    for theme in themes_of_run(db, run_id):
        # Primary members only: a proposal is quoted in the summary of one theme at most.
        texts = theme_decisions.member_texts(db, theme, primary_only=True)
        theme.summary = summaries.summarise(texts)
    run.model_path = model_path
    spent = timings.get("saving", 0.0) + time.perf_counter() - started
    timings = {**timings, "saving": round(spent, 3)}
    _finish(db, run, previous, corpus, result, timings)
    return themes


def themes_of_run(db: Session, run_id: int) -> list[Theme]:
    return list(db.exec(select(Theme).where(Theme.run_id == run_id).order_by(col(Theme.id))).all())


def _create_themes(db, run, corpus, result, identities) -> list[Theme]:
    themes = []
    for fitted in result.themes:
        theme = Theme(
            consultation_id=corpus.consultation_id,
            run_id=run.id,
            stable_key=identities.get(fitted.model_topic) or new_stable_key(),
            model_topic=fitted.model_topic,
            label=fitted.label[:300],
            keywords=list(fitted.keywords),
            size=fitted.size,
            is_off_strategy=bool(fitted.objectives)
            and fitted.objectives[0][0] == OFF_STRATEGY_CODE,
        )
        db.add(theme)
        db.flush()
        representative = set(fitted.representative)
        for index, probability, primary in fitted.members:
            db.add(
                ContributionTheme(
                    contribution_id=corpus.contribution_ids[index],
                    theme_id=stored_id(theme),
                    probability=probability,
                    is_primary=primary,
                    is_representative=index in representative,
                )
            )
        themes.append(theme)
    db.flush()
    return themes


def _store_model_mappings(db, run, corpus, result, themes) -> None:
    for theme, fitted in zip(themes, result.themes, strict=True):
        for code, confidence in fitted.objectives:
            db.add(_mapping(run, corpus, code, confidence, theme_id=theme.id))
    for index, matches in enumerate(result.document_objectives):
        for code, confidence in matches:
            contribution_id = corpus.contribution_ids[index]
            db.add(_mapping(run, corpus, code, confidence, contribution_id=contribution_id))
    db.flush()


def _mapping(run, corpus, code, confidence, **target) -> ObjectiveMapping:
    return ObjectiveMapping(
        objective_id=corpus.objective_ids.get(code),
        confidence=round(float(confidence), 4),
        source="model",
        run_id=run.id,
        **target,
    )


def _finish(db, run, previous, corpus, result, timings) -> None:
    if previous is not None:
        previous.is_current = False
        db.add(previous)
        db.flush()  # one current run at a time, also mid-transaction
    run.is_current = True
    run.status = "succeeded"
    run.stage = "done"
    run.progress = 100
    run.finished_at = utcnow()
    run.heartbeat_at = run.finished_at
    run.corpus_size = len(corpus.texts)
    run.corpus_hash = result.corpus_hash
    run.versions = {"encoder": result.encoder, **result.versions}
    run.timings = {"stages": timings, "nlp": result.timings}
    run.params = {
        **run.params,
        **result.params,
        # per theme (by model topic): coherence, intrusion, flagged - the planner sees the flag
        "theme_quality": {
            str(t.model_topic): {
                "coherence": round(t.coherence, 4),
                "intrusion": round(t.intrusion, 4),
                "flagged": t.flagged,
            }
            for t in result.themes
        },
        "encoder": result.encoder,
        "embedding_cache": {"hits": result.cache_hits, "misses": result.cache_misses},
    }
    db.add(run)
