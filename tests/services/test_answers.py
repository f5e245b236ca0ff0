"""Which published answers concern a proposal: to it, to its current theme, to the objective it
counts for by the one rule, each saying which; the list badge agrees with the proposal page."""

from consult.accountability import answers


def test_answers_direct_theme_and_objective_each_say_what_they_answered(
    db, objectives, create_contribution, create_analysis, create_theme, create_response
):
    proposal = create_contribution(suggested_objective_id=objectives["abitare"].id)
    other = create_contribution()
    old_run = create_analysis()
    create_theme(old_run, members=[proposal], stable_key="casa", label="Vecchio nome")
    new_run = create_analysis()  # a refit: same stable key, new theme row
    create_theme(new_run, members=[proposal], stable_key="casa", label="Case popolari")
    direct = create_response(contribution_id=proposal.id, text="Diretta")
    by_theme = create_response(theme_stable_key="casa", text="Sul tema")
    by_objective = create_response(objective_id=objectives["abitare"].id, text="Sull'obiettivo")
    create_response(contribution_id=proposal.id, text="Bozza", published=False)
    create_response(contribution_id=other.id, text="Altra proposta")
    create_response(objective_id=objectives["isee"].id, text="Altro obiettivo")
    create_response(theme_stable_key="altro-tema", text="Altro tema")
    found = answers.answers_for(db, proposal)
    assert [(a.response.id, a.concerns, a.about) for a in found] == [
        (direct.id, "proposal", ""),
        (by_theme.id, "theme", "Case popolari"),
        (by_objective.id, "objective", objectives["abitare"].title),
    ]
    assert answers.answered_ids(db, [proposal, other]) == {proposal.id, other.id}


def test_an_objective_answer_reaches_only_the_proposals_counting_for_it(
    db, objectives, create_contribution, create_analysis, create_theme, create_response
):
    run = create_analysis()
    housing = create_contribution(text="Più alloggi popolari.")
    isee = create_contribution(text="Un ISEE uguale ovunque.")
    suggested_only = create_contribution(
        text="Casa", suggested_objective_id=objectives["abitare"].id
    )
    create_theme(run, members=[housing], objectives=[(objectives["abitare"], 0.8)])
    # Suggested housing by its author, but the model's theme counts it for ISEE.
    create_theme(run, members=[isee, suggested_only], objectives=[(objectives["isee"], 0.9)])
    create_response(objective_id=objectives["abitare"].id, text="Piano casa")
    assert answers.answered_ids(db, [housing, isee, suggested_only]) == {housing.id}
    assert [a.concerns for a in answers.answers_for(db, housing)] == ["objective"]
    assert answers.answers_for(db, suggested_only) == []


def test_a_discarded_theme_answers_nothing_and_no_answers_is_empty(
    db, create_contribution, create_analysis, create_theme, create_response
):
    proposal = create_contribution()
    assert answers.answers_for(db, proposal) == []
    assert answers.answered_ids(db, []) == set()
    run = create_analysis()
    create_theme(run, members=[proposal], stable_key="scartato", status="discarded")
    create_response(theme_stable_key="scartato", text="Tema scartato")
    assert answers.answers_for(db, proposal) == []
    assert answers.answered_ids(db, [proposal]) == set()
