"""The one rule deciding which objective(s) a proposal counts for."""

import pytest

from consult.analysis.assignment import assign_objectives, assign_one


@pytest.fixture
def run(create_analysis):
    return create_analysis()


def test_planner_mapping_beats_model_theme_and_suggestion(
    db, run, objectives, create_contribution, create_theme, map_contribution
):
    isee, abitare = objectives["isee"], objectives["abitare"]
    proposal = create_contribution(suggested_objective_id=isee.id)
    create_theme(run, members=[proposal], objectives=[(isee, 0.9)])
    map_contribution(proposal, isee, confidence=0.95, run=run)
    map_contribution(proposal, abitare, source="planner")
    assignment = assign_one(db, proposal)
    assert assignment.objective_ids == (abitare.id,)
    assert assignment.source == "planner"


def test_the_models_best_objective_always_counts_secondaries_only_above_the_threshold(
    db, run, objectives, create_contribution, map_contribution
):
    """Every on-strategy proposal counts somewhere: a low confidence is flagged, not dropped."""
    confident = create_contribution()
    unsure = create_contribution(suggested_objective_id=objectives["isee"].id)
    map_contribution(confident, objectives["abitare"], confidence=0.7, run=run)
    map_contribution(confident, objectives["isee"], confidence=0.55, run=run)
    map_contribution(unsure, objectives["abitare"], confidence=0.2, run=run)
    map_contribution(unsure, objectives["isee"], confidence=0.1, run=run)
    result = assign_objectives(db, [confident, unsure], threshold=0.5)
    assert result[confident.id].objective_ids == (objectives["abitare"].id, objectives["isee"].id)
    assert result[confident.id].confidence == pytest.approx(0.7)
    assert result[unsure.id].source == "model"
    assert result[unsure.id].objective_ids == (objectives["abitare"].id,)
    assert result[unsure.id].confidence == pytest.approx(0.2)


def test_model_mapping_of_an_old_run_is_ignored(
    db, objectives, create_analysis, create_contribution, map_contribution
):
    old = create_analysis(is_current=False)
    create_analysis()
    proposal = create_contribution()
    map_contribution(proposal, objectives["abitare"], confidence=0.9, run=old)
    assert assign_one(db, proposal).is_unmapped


def test_primary_theme_mapping_planner_before_model(
    db, run, objectives, create_contribution, create_theme
):
    proposal = create_contribution(suggested_objective_id=objectives["isee"].id)
    create_theme(
        run,
        members=[proposal],
        objectives=[(objectives["isee"], 0.9)],
        confirmed=[objectives["abitare"]],
    )
    assignment = assign_one(db, proposal)
    assert assignment.objective_ids == (objectives["abitare"].id,)
    assert assignment.source == "theme-planner"


def test_non_primary_discarded_and_merged_themes(
    db, run, objectives, create_contribution, create_theme
):
    secondary = create_contribution()
    create_theme(run, members=[secondary], objectives=[(objectives["isee"], 0.9)], primary=False)
    discarded = create_contribution()
    create_theme(
        run, members=[discarded], objectives=[(objectives["isee"], 0.9)], status="discarded"
    )
    merged = create_contribution()
    target = create_theme(run, objectives=[(objectives["abitare"], 0.8)])
    create_theme(
        run,
        members=[merged],
        objectives=[(objectives["isee"], 0.9)],
        status="merged",
        merged_into_id=target.id,
    )
    result = assign_objectives(db, [secondary, discarded, merged])
    assert result[secondary.id].is_unmapped
    assert result[discarded.id].is_unmapped
    assert result[merged.id].objective_ids == (objectives["abitare"].id,)
    assert result[merged.id].theme_id == target.id


def test_fuori_strategia_from_mapping_or_theme_flag(
    db, run, objectives, create_contribution, create_theme, map_contribution
):
    mapped = create_contribution()
    map_contribution(mapped, None, source="planner")
    flagged = create_contribution()
    create_theme(run, members=[flagged], is_off_strategy=True)
    result = assign_objectives(db, [mapped, flagged])
    assert result[mapped.id].is_off_strategy
    assert result[flagged.id].is_off_strategy
    assert result[flagged.id].source == "theme-model"


def test_several_objectives_and_no_data_at_all(
    db, objectives, create_contribution, map_contribution
):
    both = create_contribution()
    map_contribution(both, objectives["isee"], confidence=0.6)
    map_contribution(both, objectives["abitare"], confidence=0.8)
    nothing = create_contribution()
    result = assign_objectives(db, [both, nothing])
    assert result[both.id].objective_ids == (objectives["abitare"].id, objectives["isee"].id)
    assert result[nothing.id].source == "unmapped"
    assert assign_objectives(db, []) == {}


def test_an_uncertain_best_keeps_an_equally_plausible_runner_up(
    db, run, objectives, create_contribution, map_contribution
):
    """The classifier reports a runner-up as plausible as an uncertain best tied with it (its
    membership capped at the best's confidence): both count, da verificare, the best first; a
    weaker runner-up still needs the threshold. The stored table answers the same."""
    from consult.analysis.assignment_store import stored_assignments

    tied, weaker = create_contribution(), create_contribution()
    map_contribution(tied, objectives["isee"], confidence=0.24, run=run)
    map_contribution(tied, objectives["abitare"], confidence=0.24, run=run)
    map_contribution(weaker, objectives["isee"], confidence=0.24, run=run)
    map_contribution(weaker, objectives["abitare"], confidence=0.2, run=run)
    db.flush()
    result = assign_objectives(db, [tied, weaker], threshold=0.35)
    assert result[tied.id].objective_ids == (objectives["isee"].id, objectives["abitare"].id)
    assert result[tied.id].confidence == pytest.approx(0.24)
    assert result[weaker.id].objective_ids == (objectives["isee"].id,)
    stored = stored_assignments(db, [tied.id, weaker.id], threshold=0.35)
    assert stored[tied.id].objective_ids == result[tied.id].objective_ids
    assert stored[weaker.id].objective_ids == result[weaker.id].objective_ids
