"""Analysis jobs end to end on a tiny corpus with the real nlp package (LSA encoder)."""

from pathlib import Path

import pytest
from sqlmodel import select

from consult.analysis import jobs as analysis_jobs
from consult.analysis import mapping_review, theme_decisions, theme_engine, theme_refit
from consult.analysis import runs as analysis_runs
from consult.analysis.models import (
    AnalysisRun,
    ContributionTheme,
    EmbeddingCache,
    ObjectiveMapping,
    Theme,
)
from consult.common.models import AuditLog
from consult.framework.models import Objective


def start_and_run(app, db, consultation, user=None) -> AnalysisRun:
    run = analysis_runs.start(db, consultation, user, stale_after=60, params={"encoder": "lsa"})
    db.commit()
    with app.app_context():
        analysis_jobs.run_analysis(run.id)
    db.expire_all()
    return db.get(AnalysisRun, run.id)


def current_themes(db, run) -> dict[str, Theme]:
    return {t.stable_key: t for t in db.exec(select(Theme).where(Theme.run_id == run.id))}


def test_first_run_saves_themes_with_provenance(app, db, consultation, theme_corpus):
    run = start_and_run(app, db, consultation)
    assert run.status == "succeeded", run.error
    assert run.is_current and run.progress == 100 and run.corpus_size == 24
    assert len(run.corpus_hash) == 64
    assert run.params["encoder"] == "lsa" and "regime" in run.params
    assert set(run.timings["stages"]) == set(analysis_runs.STAGES)
    assert run.versions["encoder"] == "lsa" and "bertopic" in run.versions
    # the 24 proposals, and the framework's wording and examples (embedded once, cached too;
    # a text the framework lists twice is found the second time)
    cache = run.params["embedding_cache"]
    assert cache["misses"] >= 24 + 8
    themes = list(current_themes(db, run).values())
    assert 2 <= len(themes) <= 4
    members = db.exec(select(ContributionTheme.contribution_id).where(ContributionTheme.is_primary))
    assert sorted(members.all()) == sorted(c.id for c in theme_corpus)
    quoted: list[int] = []
    for theme in themes:
        member_ids = set(theme_decisions.member_ids(db, theme, primary_only=True))
        assert theme.summary and all(set(s["sources"]) <= member_ids for s in theme.summary)
        quoted += sorted({i for s in theme.summary for i in s["sources"]})
    assert len(quoted) == len(set(quoted))  # no proposal quoted in two themes' summaries
    quality = run.params["theme_quality"]  # coherence per theme, reported per run
    assert set(quality) == {str(t.model_topic) for t in themes}
    assert all(
        -1 <= q["coherence"] <= 1 and isinstance(q["flagged"], bool) for q in quality.values()
    )
    suggestions = db.exec(select(ObjectiveMapping).where(ObjectiveMapping.run_id == run.id)).all()
    assert {m.contribution_id for m in suggestions if m.contribution_id} == {
        c.id for c in theme_corpus
    }
    assert {m.theme_id for m in suggestions if m.theme_id} == {t.id for t in themes}
    assert all(m.source == "model" and 0 <= m.confidence <= 1 for m in suggestions)
    assert (Path(run.model_path) / "model.safetensors").exists() or any(
        Path(run.model_path).glob("*.safetensors")
    )


def test_confirmed_mappings_feed_the_next_run(app, db, consultation, theme_corpus, create_user):
    planner = create_user("planner")
    abitare, isee = db.exec(select(Objective).order_by(Objective.code)).all()[:2]
    # Two labels per objective and for fuori-strategia: enough for nlp's classifier.
    chosen = {"nido": isee.id, "affitti": abitare.id, "anziani": None}
    for contribution in theme_corpus[:6]:
        objective_id = next(v for k, v in chosen.items() if k in contribution.text)
        mapping_review.confirm(
            db, objective_id=objective_id, actor_id=planner.id, contribution=contribution
        )
    db.commit()
    run = start_and_run(app, db, consultation, planner)
    assert run.status == "succeeded", run.error
    assert run.params["confirmed_labels"] == 6
    assert run.params["supervised"] is True
    db.commit()
    # Every confirmation on one objective: too few classes, the run goes on unsupervised.
    for contribution in theme_corpus[:6]:
        mapping_review.confirm(
            db, objective_id=isee.id, actor_id=planner.id, contribution=contribution
        )
    db.commit()
    fallback = start_and_run(app, db, consultation, planner)
    assert fallback.status == "succeeded", fallback.error
    assert fallback.params["supervised"] is False
    planner_rows = db.exec(select(ObjectiveMapping).where(ObjectiveMapping.source == "planner"))
    assert len(planner_rows.all()) == 6  # confirmations outlive the run


def test_unchanged_text_is_never_embedded_twice(app, db, consultation, theme_corpus, monkeypatch):
    corpus_texts = {c.text for c in theme_corpus}
    encoded: list[str] = []
    real_build = theme_engine.build_encoder

    def counting_encoder(name):
        encoder = real_build(name)
        real_encode = encoder.encode

        def encode(texts):
            encoded.extend(t for t in texts if t in corpus_texts)
            return real_encode(texts)

        encoder.encode = encode
        return encoder

    monkeypatch.setattr(theme_engine, "build_encoder", counting_encoder)
    first = start_and_run(app, db, consultation)
    assert len(encoded) == 24
    encoded.clear()
    second = start_and_run(app, db, consultation)
    assert second.status == "succeeded", second.error
    assert encoded == []
    first_cache, second_cache = first.params["embedding_cache"], second.params["embedding_cache"]
    lookups = first_cache["hits"] + first_cache["misses"]
    assert second_cache == {"hits": lookups, "misses": 0}
    assert len(db.exec(select(EmbeddingCache)).all()) == first_cache["misses"]
    assert first.id != second.id


def test_refit_keeps_identity_and_planners_decisions(
    app, db, consultation, theme_corpus, create_user, create_contribution
):
    planner = create_user("planner")
    first = start_and_run(app, db, consultation, planner)
    themes = sorted(current_themes(db, first).values(), key=lambda t: t.id)
    renamed, accepted, merged, split_source = themes[0], themes[1], themes[2], themes[0]
    theme_decisions.rename(db, renamed, "Nidi e prima infanzia", actor_id=planner.id)
    theme_decisions.set_status(db, accepted, "accepted", actor_id=planner.id)
    theme_decisions.merge(db, merged, accepted, actor_id=planner.id)
    moved = theme_decisions.member_ids(db, split_source)[:2]
    split = theme_decisions.split(db, split_source, moved, "Nidi a Torino", actor_id=planner.id)
    db.commit()
    create_contribution("Mancano posti negli asili nido per i bambini piccoli delle famiglie.")

    second = start_and_run(app, db, consultation, planner)
    assert second.status == "succeeded", second.error
    db.refresh(first)
    assert second.is_current and not first.is_current
    after = current_themes(db, second)
    assert set(after) == {t.stable_key for t in themes} | {split.stable_key}
    assert after[renamed.stable_key].display_label == "Nidi e prima infanzia"
    assert after[accepted.stable_key].status == "accepted"
    assert after[merged.stable_key].status == "merged"
    assert after[merged.stable_key].merged_into_id == after[accepted.stable_key].id
    assert sorted(theme_decisions.member_ids(db, after[split.stable_key])) == sorted(moved)
    assert not set(moved) & set(theme_decisions.member_ids(db, after[renamed.stable_key]))
    actions = {a.action for a in db.exec(select(AuditLog))}
    assert {"theme.rename", "theme.accepted", "theme.merge", "theme.split"} <= actions


def test_failed_run_leaves_previous_themes_current(
    app, db, consultation, theme_corpus, monkeypatch
):
    first = start_and_run(app, db, consultation)
    before = {(t.id, t.stable_key, t.label) for t in current_themes(db, first).values()}

    def broken_save(*args, **kwargs):
        raise RuntimeError("disk full while saving")

    monkeypatch.setattr(theme_refit, "save", broken_save)
    failed = start_and_run(app, db, consultation)
    assert failed.status == "failed" and "disk full" in failed.error
    assert not failed.is_current
    db.refresh(first)
    assert first.is_current
    assert {(t.id, t.stable_key, t.label) for t in current_themes(db, first).values()} == before
    assert db.exec(select(Theme).where(Theme.run_id == failed.id)).all() == []


def test_a_second_start_is_refused_while_one_is_active(db, consultation, theme_corpus):
    analysis_runs.start(db, consultation, None, stale_after=60, params={})
    with pytest.raises(analysis_runs.AnalysisBusyError):
        analysis_runs.start(db, consultation, None, stale_after=60, params={})


def test_stale_heartbeat_fails_the_run_on_read_and_sweep(db, consultation):
    from datetime import timedelta

    from consult.common.models import utcnow

    old = utcnow() - timedelta(minutes=10)
    running = AnalysisRun(
        consultation_id=consultation.id, status="running", stage="fitting", heartbeat_at=old
    )
    fresh = AnalysisRun(consultation_id=consultation.id, status="running", heartbeat_at=utcnow())
    db.add_all([running, fresh])
    db.commit()
    assert analysis_runs.read(db, running.id, stale_after=90).status == "failed"
    assert running.error == analysis_runs.STALE_ERROR
    assert analysis_runs.sweep_stale(db, stale_after=90) == 0
    assert db.get(AnalysisRun, fresh.id).status == "running"
    assert analysis_runs.sweep_stale(db, stale_after=0) == 1
    assert db.get(AnalysisRun, fresh.id).status == "failed"


def test_too_few_proposals_are_refused_before_queuing(db, consultation, create_contribution):
    create_contribution("Una sola proposta.")
    with pytest.raises(analysis_runs.TooFewProposalsError):
        analysis_runs.start(db, consultation, None, stale_after=60, params={})
    assert db.exec(select(AnalysisRun)).all() == []
