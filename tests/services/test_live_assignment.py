"""Live proposals assigned by the current run's saved model, without a refit."""

import logging

import pytest
from sqlmodel import select

from consult.analysis import assignment as objective_assignment
from consult.analysis import jobs as analysis_jobs
from consult.analysis import live_classification, nlp_runtime
from consult.analysis import runs as analysis_runs
from consult.analysis.assignment import assign_objectives
from consult.analysis.models import AnalysisRun, ContributionTheme, ObjectiveMapping, Theme
from consult.framework.models import Objective
from consult.live import moderation
from consult.live import services as live_sessions
from consult.proposals.models import Contribution
from nlp import save_model

HOUSING = "Mancano alloggi sociali e gli affitti delle case popolari sono alti, a Cuneo."
ELDERLY = "Gli anziani soli hanno bisogno di più assistenza domiciliare e centri diurni, a Bra."


@pytest.fixture(autouse=True)
def fresh_runtime():
    nlp_runtime.forget_all()
    yield
    nlp_runtime.forget_all()


@pytest.fixture
def fitted_run(app, db, consultation, theme_corpus) -> AnalysisRun:
    run = analysis_runs.start(db, consultation, None, stale_after=60, params={"encoder": "lsa"})
    db.commit()
    with app.app_context():
        analysis_jobs.run_analysis(run.id)
    db.expire_all()
    run = db.get(AnalysisRun, run.id)
    assert run.status == "succeeded" and run.model_path, run.error
    return run


@pytest.fixture
def live_item(db, create_live_session, create_contribution, create_user):
    live = create_live_session()
    moderator = create_user("facilitator")

    def factory(text: str, **fields):
        fields.setdefault("status", "pending")
        item = create_contribution(
            text=text, live_session_id=live.id, meeting_id=live.meeting_id, channel="live", **fields
        )
        return item, moderator

    factory.live = live
    return factory


def expected(run, text):
    from nlp import load_model

    return load_model(run.model_path).assign([text])[0]


def theme_of(db, theme_corpus, index) -> int:
    return db.exec(
        select(ContributionTheme.theme_id).where(
            ContributionTheme.contribution_id == theme_corpus[index].id,
            ContributionTheme.is_primary,
        )
    ).one()


def test_approval_stores_the_models_objectives_and_theme(db, fitted_run, live_item, theme_corpus):
    item, moderator = live_item(HOUSING)
    moderation.approve(db, item, actor_id=moderator.id)
    db.commit()
    want = expected(fitted_run, HOUSING)
    rows = db.exec(
        select(ObjectiveMapping).where(ObjectiveMapping.contribution_id == item.id)
    ).all()
    codes = {o.id: o.code for o in db.exec(select(Objective))}
    stored = [(codes.get(m.objective_id, "fuori-strategia"), m.confidence) for m in rows]
    assert stored == [(m.code, pytest.approx(m.confidence, abs=1e-4)) for m in want.objectives]
    assert all(m.source == "model" and m.run_id == fitted_run.id for m in rows) and rows
    membership = db.exec(
        select(ContributionTheme).where(ContributionTheme.contribution_id == item.id)
    ).one()
    assert membership.is_primary
    assert membership.theme_id == theme_of(db, theme_corpus, 1)  # the housing theme
    theme = db.get(Theme, membership.theme_id)
    assert theme.run_id == fitted_run.id and theme.size == 9
    found = objective_assignment.assign_one(db, item, threshold=0.0)
    assert found.source == "model" and found.theme_id == membership.theme_id


def test_correction_reassigns_and_fitted_proposals_are_left_alone(
    db, fitted_run, live_item, theme_corpus
):
    item, moderator = live_item(HOUSING)
    moderation.approve(db, item, actor_id=moderator.id)
    moderation.correct(db, item, actor_id=moderator.id, text=ELDERLY)
    db.commit()
    themes = db.exec(
        select(ContributionTheme.theme_id).where(ContributionTheme.contribution_id == item.id)
    ).all()
    assert themes == [theme_of(db, theme_corpus, 2)]  # now with the elderly
    assert live_classification.record(db, [theme_corpus[0]]) == 0  # the run fitted it


def test_bulk_approval_assigns_every_item(db, fitted_run, live_item):
    first, moderator = live_item(HOUSING)
    second, _ = live_item(ELDERLY)
    moderation.bulk(db, [first, second], actor_id=moderator.id, action="approve")
    db.commit()
    mapped = db.exec(
        select(ObjectiveMapping.contribution_id).where(ObjectiveMapping.run_id == fitted_run.id)
    ).all()
    assert {first.id, second.id} <= set(mapped)


def test_without_a_model_approval_stores_nothing_and_counts_use_the_suggestion(
    db, consultation, live_item
):
    abitare = db.exec(select(Objective).where(Objective.code == "abitare")).one()
    item, moderator = live_item(HOUSING, suggested_objective_id=abitare.id)
    moderation.approve(db, item, actor_id=moderator.id)
    db.commit()
    assert db.exec(select(ObjectiveMapping)).all() == []
    counts = {o.code: n for o, n in live_sessions.objective_counts(db, live_item.live)}
    assert counts == {"isee": 0, "abitare": 1}


def test_projector_counts_are_the_shared_rules_counts(db, fitted_run, live_item):
    """No second copy of the rule: the projector counts what the coverage matrix counts."""
    for text in (HOUSING, "Più posti negli asili nido per le famiglie con bambini piccoli."):
        item, moderator = live_item(text)
        moderation.approve(db, item, actor_id=moderator.id)
    db.flush()
    published = db.exec(
        select(Contribution)
        .where(Contribution.live_session_id == live_item.live.id)
        .where(Contribution.status == "published")
    ).all()
    rule: dict[int, int] = {}
    for found in assign_objectives(db, published).values():
        for objective_id in found.objective_ids:
            if objective_id is not None:
                rule[objective_id] = rule.get(objective_id, 0) + 1
    counts = {o.id: n for o, n in live_sessions.objective_counts(db, live_item.live) if n}
    assert counts == rule


def test_objective_for_uses_the_model_and_reloads_when_the_run_changes(fitted_run, tmp_path):
    want = expected(fitted_run, HOUSING).objectives[0]
    found = live_classification.objective_for(
        HOUSING, "isee", model_path=fitted_run.model_path, threshold=0.0
    )
    assert found == (want.code, pytest.approx(want.confidence, abs=1e-4))
    first = nlp_runtime.theme_model(fitted_run.model_path)
    assert nlp_runtime.theme_model(fitted_run.model_path) is first  # loaded once
    other = tmp_path / "copy"
    save_model(first, other)
    assert nlp_runtime.theme_model(str(other)) is not first


def test_unreadable_model_falls_back_to_the_suggestion(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="consult.analysis.nlp_runtime"):
        found = live_classification.objective_for(HOUSING, "abitare", model_path=str(tmp_path))
    assert found == ("abitare", 1.0)
    assert "cannot load the theme model" in caplog.text


def test_a_run_with_a_fast_head_assigns_live_proposals_with_it(
    app, db, consultation, theme_corpus, live_item
):
    from nlp import load_model

    app.config["CONSULT_LIVE_EMBEDDINGS"] = "use"
    run = analysis_runs.start(db, consultation, None, stale_after=60, params={"encoder": "lsa"})
    db.commit()
    with app.app_context():
        analysis_jobs.run_analysis(run.id)
    db.expire_all()
    run = db.get(AnalysisRun, run.id)
    assert run.params["live_encoder"] == "use"
    saved = load_model(run.model_path)
    assert saved.fast is not None
    item, moderator = live_item(ELDERLY)
    moderation.approve(db, item, actor_id=moderator.id)
    db.commit()
    want = saved.assign([ELDERLY], fast=True)[0]
    membership = db.exec(
        select(ContributionTheme).where(ContributionTheme.contribution_id == item.id)
    ).one()
    theme = db.get(Theme, membership.theme_id)
    assert theme.model_topic == want.theme
    assert membership.probability == pytest.approx(want.probability, abs=1e-4)


def test_warm_loads_the_current_model_in_the_background(db, fitted_run):
    nlp_runtime.forget_all()
    thread = live_classification.warm(db, fitted_run.consultation_id)
    assert thread is not None
    thread.join(timeout=60)
    assert not thread.is_alive()
    # Loaded: asking again starts no thread and returns the same model at once.
    assert nlp_runtime.warm(fitted_run.model_path) is None
    assert nlp_runtime.theme_model(fitted_run.model_path) is not None
