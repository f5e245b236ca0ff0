"""Stored rows: ids narrowed with a clear error, keys that must exist, the planners' reads."""

import pytest

from consult.analysis import corpus as analysis_corpus
from consult.analysis import mapping_review, stored
from consult.analysis.models import AnalysisRun, Theme
from consult.analysis.rows import MissingRowError, existing, ids_of, stored_id
from consult.framework.models import Consultation
from consult.proposals.models import Contribution


def test_a_row_never_flushed_has_no_id_and_says_so():
    with pytest.raises(ValueError, match="Theme has not been flushed yet"):
        stored_id(Theme(consultation_id=1, run_id=1, stable_key="k", label="l"))


def test_ids_of_stored_rows(db, create_contribution):
    rows = [create_contribution(), create_contribution()]
    assert ids_of(rows) == [rows[0].id, rows[1].id]


def test_a_missing_key_is_a_clear_error(db):
    with pytest.raises(MissingRowError, match="AnalysisRun 404 does not exist"):
        existing(db, AnalysisRun, 404)
    with pytest.raises(MissingRowError, match="AnalysisRun None"):
        existing(db, AnalysisRun, None)


def test_loading_the_corpus_of_a_deleted_run_names_it(app, db):
    with pytest.raises(MissingRowError, match="AnalysisRun 12"):
        analysis_corpus.load(app.extensions["consult.engine"], 12)


def test_a_mapping_needs_a_theme_or_a_proposal(db, create_user):
    planner = create_user("planner")
    with pytest.raises(ValueError, match="theme or a proposal"):
        mapping_review.confirm(db, objective_id=None, actor_id=planner.id)


def test_a_proposal_of_another_consultation_is_not_found(db, consultation):
    other = Consultation(slug="altra", title="Altra", framework_id=consultation.framework_id)
    db.add(other)
    db.flush()
    elsewhere = Contribution(consultation_id=other.id, text="Altrove.", tracking_token="t-x")
    db.add(elsewhere)
    db.commit()
    assert stored.proposal_of(db, other.id, elsewhere.id) == elsewhere
    assert stored.proposal_of(db, consultation.id, elsewhere.id) is None
    assert stored.proposal_of(db, consultation.id, 999) is None


def test_unmerged_themes_keep_discarded_ones_largest_first(
    db, create_analysis, create_theme, create_contribution
):
    run = create_analysis()
    small = create_theme(run, members=[create_contribution()], status="discarded")
    large = create_theme(run, members=[create_contribution(), create_contribution()])
    create_theme(run, status="merged", merged_into_id=large.id)
    assert stored.unmerged_themes(db, run.id) == [large, small]
    assert stored.theme_by_key(db, run.id, small.stable_key) == small
    assert stored.theme_by_key(db, run.id, "nessuno") is None


def test_starters_by_user_id(db, create_analysis, create_user):
    planner = create_user("planner")
    runs = [create_analysis(started_by_id=planner.id), create_analysis()]
    assert stored.starters(db, runs) == {planner.id: planner}


def test_planners_and_the_public_see_the_same_current_run(app, db, create_analysis, consultation):
    """Even with two runs marked current (mid-save), one rule picks the newest for everyone."""
    from consult.analysis import assignment, view_helpers

    older = create_analysis()
    newer = create_analysis()
    older.is_current = True
    db.add(older)
    db.commit()
    with app.test_request_context():
        assert view_helpers.current_run(consultation).id == newer.id
    assert assignment.current_run(db, consultation.id).id == newer.id
