"""The stored assignment table says what the shared rule says, whatever happened in between."""

import random

import pytest
from sqlmodel import col, delete, select

from consult.analysis import assignment_store
from consult.analysis.assignment import assign_objectives
from consult.analysis.models import (
    AnalysisRun,
    ContributionAssignment,
    ContributionTheme,
    ObjectiveMapping,
    Theme,
)
from consult.common.tokens import new_tracking_token
from consult.proposals.models import Contribution

THRESHOLDS = (0.0, 0.35, 0.6)


def _check(db, consultation):
    contributions = db.exec(
        select(Contribution)
        .where(Contribution.consultation_id == consultation.id)
        .order_by(col(Contribution.id))
    ).all()
    ids = [c.id for c in contributions]
    for threshold in THRESHOLDS:
        expected = assign_objectives(db, contributions, threshold=threshold)
        stored = assignment_store.stored_assignments(db, ids, threshold=threshold)
        assert stored == expected, threshold


def _world(db, consultation, objectives, rng: random.Random):
    objective_ids = [o.id for o in objectives.values()]
    contributions = [
        Contribution(
            consultation_id=consultation.id,
            text=f"Proposta {n}",
            status=rng.choice(["published", "published", "pending", "rejected"]),
            tracking_token=new_tracking_token(),
            suggested_objective_id=rng.choice([None, *objective_ids]),
        )
        for n in range(60)
    ]
    db.add_all(contributions)
    runs = [AnalysisRun(consultation_id=consultation.id, status="succeeded") for _ in range(2)]
    db.add_all(runs)
    db.commit()
    themes = []
    for run in runs:
        for n in range(5):
            theme = Theme(
                consultation_id=consultation.id,
                run_id=run.id,
                stable_key=f"t{run.id}-{n}",
                model_topic=n,
                label=f"Tema {n}",
                keywords=[],
                summary=[],
                is_off_strategy=rng.random() < 0.2,
            )
            themes.append(theme)
    db.add_all(themes)
    db.commit()
    for contribution in contributions:
        for theme in rng.sample(themes, 2):
            db.add(
                ContributionTheme(
                    contribution_id=contribution.id,
                    theme_id=theme.id,
                    is_primary=rng.random() < 0.7,
                )
            )
    db.commit()
    return contributions, runs, themes, objective_ids


def _random_mapping(rng, contributions, themes, runs, objective_ids) -> ObjectiveMapping:
    planner = rng.random() < 0.25
    on_theme = rng.random() < 0.4
    return ObjectiveMapping(
        theme_id=rng.choice(themes).id if on_theme else None,
        contribution_id=None if on_theme else rng.choice(contributions).id,
        objective_id=rng.choice([None, *objective_ids, *objective_ids]),
        # a few shared values make ties: a runner-up as confident as an uncertain best counts
        confidence=1.0 if planner else rng.choice([0.2, 0.3, rng.random()]),
        source="planner" if planner else "model",
        run_id=rng.choice([None, *[r.id for r in runs]]),
    )


def _random_event(db, rng, world) -> None:
    contributions, runs, themes, objective_ids = world
    kind = rng.randrange(9)
    if kind <= 2:
        db.add(_random_mapping(rng, contributions, themes, runs, objective_ids))
    elif kind == 3:
        mapping = db.exec(select(ObjectiveMapping)).first()
        if mapping is not None:
            db.delete(mapping)
    elif kind == 4:
        theme, other = rng.sample(themes, 2)
        theme.status = rng.choice(["merged", "discarded", "accepted", "proposed"])
        theme.merged_into_id = other.id if theme.status == "merged" else None
        db.add(theme)
    elif kind == 5:
        for run in runs:
            run.is_current = False
            db.add(run)
        db.flush()
        chosen = rng.choice([None, *runs])
        if chosen is not None:
            chosen.is_current = True
            db.add(chosen)
    elif kind == 6:
        contribution = rng.choice(contributions)
        contribution.suggested_objective_id = rng.choice([None, *objective_ids])
        contribution.status = rng.choice(["published", "merged", "hidden"])
        db.add(contribution)
    elif kind == 7:
        contribution = rng.choice(contributions)
        db.exec(  # type: ignore[call-overload]
            delete(ContributionTheme).where(
                col(ContributionTheme.contribution_id) == contribution.id
            )
        )
        db.add(
            ContributionTheme(
                contribution_id=contribution.id, theme_id=rng.choice(themes).id, is_primary=True
            )
        )
    else:
        new = Contribution(
            consultation_id=contributions[0].consultation_id,
            text="Nuova proposta",
            status="pending",
            tracking_token=new_tracking_token(),
            suggested_objective_id=rng.choice([None, *objective_ids]),
        )
        db.add(new)
        db.flush()
        contributions.append(new)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stored_table_equals_the_rule_after_random_events(db, consultation, objectives, seed):
    rng = random.Random(seed)
    world = _world(db, consultation, objectives, rng)
    _check(db, consultation)
    for step in range(120):
        _random_event(db, rng, world)
        if step % 3 == 0:
            db.commit()
            _check(db, consultation)
        elif step % 3 == 1:
            db.flush()  # a reader in the same transaction sees the change already
            _check(db, consultation)
    db.commit()
    _check(db, consultation)


def test_rebuild_writes_what_the_hooks_kept(db, consultation, objectives):
    rng = random.Random(7)
    world = _world(db, consultation, objectives, rng)
    for _ in range(40):
        _random_event(db, rng, world)
    db.commit()
    kept = sorted(
        (r.contribution_id, r.objective_id or 0, r.rank, r.source, r.confidence, r.theme_id)
        for r in db.exec(select(ContributionAssignment))
    )
    db.exec(delete(ContributionAssignment))  # type: ignore[call-overload]
    assert assignment_store.rebuild_all(db) == len(world[0])
    db.commit()
    rebuilt = sorted(
        (r.contribution_id, r.objective_id or 0, r.rank, r.source, r.confidence, r.theme_id)
        for r in db.exec(select(ContributionAssignment))
    )
    assert rebuilt == kept


def test_a_deleted_proposal_takes_its_rows_along(db, consultation, create_contribution):
    contribution = create_contribution()
    assert db.exec(select(ContributionAssignment)).all()
    db.delete(contribution)
    db.commit()
    assert db.exec(select(ContributionAssignment)).all() == []


def test_the_rebuild_command_fills_an_empty_table(app, db, runner, create_contribution):
    create_contribution()
    db.exec(delete(ContributionAssignment))  # type: ignore[call-overload]
    db.commit()
    result = runner.invoke(args=["assignments", "rebuild"])
    assert "1 proposals" in result.output
    assert len(db.exec(select(ContributionAssignment)).all()) == 1


def _recount(db, consultation, threshold):
    """The matrix by channel, counted in Python with the rule itself."""
    from collections import Counter

    from consult.framework import services as framework
    from consult.framework.models import OFF_STRATEGY_CODE
    from consult.planning.coverage import UNMAPPED_CODE

    codes = framework.objective_codes(db)
    published = db.exec(
        select(Contribution).where(
            Contribution.consultation_id == consultation.id, Contribution.status == "published"
        )
    ).all()
    found = assign_objectives(db, published, threshold=threshold)
    cells: Counter = Counter()
    for contribution in published:
        assignment = found[contribution.id]
        rows = [UNMAPPED_CODE] if assignment.is_unmapped else assignment.objective_ids
        for oid in rows:
            code = oid if oid == UNMAPPED_CODE else codes.get(oid, OFF_STRATEGY_CODE)
            cells[(code, contribution.channel)] += 1
    return dict(cells)


def test_the_matrix_counts_equal_the_rule_on_random_data(db, consultation, objectives):
    from consult.planning.coverage import build_matrices, build_matrix

    rng = random.Random(11)
    world = _world(db, consultation, objectives, rng)
    for contribution in world[0]:
        contribution.channel = rng.choice(["online", "paper", "meeting"])
        db.add(contribution)
    for _ in range(80):
        _random_event(db, rng, world)
    db.commit()
    for threshold in THRESHOLDS:
        matrix = build_matrix(db, consultation, dimension="channel", threshold=threshold)
        assert matrix.cells == _recount(db, consultation, threshold)
        for line in matrix.rows:  # one row alone (an objective's page) counts the same
            alone = build_matrix(
                db, consultation, dimension="channel", threshold=threshold, only_row=line.code
            )
            assert {k: v for k, v in matrix.cells.items() if k[0] == line.code} == alone.cells
            assert next(r.total for r in alone.rows if r.code == line.code) == line.total
            # both dimensions from one read (the objective's page) count the same too
            both = build_matrices(db, consultation, threshold=threshold, only_row=line.code)
            assert both["channel"].cells == alone.cells
            territory = build_matrix(db, consultation, threshold=threshold, only_row=line.code)
            assert both["territory"].cells == territory.cells
            assert [(r.code, r.total) for r in both["territory"].rows] == [
                (r.code, r.total) for r in territory.rows
            ]


def test_a_new_proposal_reads_only_the_theme_mappings_it_counts_through(
    app, db, consultation, objectives
):
    """A live room stores hundreds of proposals a minute: one without a theme reads none of the
    current run's theme mappings; one in a theme reads that theme's (and still counts right)."""
    from sqlalchemy import event

    world = _world(db, consultation, objectives, random.Random(7))
    _contributions, runs, themes, _objective_ids = world
    runs[0].is_current = True
    db.add(runs[0])
    for theme in themes:
        db.add(
            ObjectiveMapping(
                theme_id=theme.id,
                objective_id=next(iter(objectives.values())).id,
                confidence=0.9,
                source="model",
                run_id=theme.run_id,
            )
        )
    db.commit()
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = app.extensions["consult.engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        db.add(
            Contribution(
                consultation_id=consultation.id,
                text="Una proposta appena arrivata",
                status="pending",
                tracking_token=new_tracking_token(),
            )
        )
        db.commit()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert not [s for s in statements if "objectivemapping.theme_id IN" in s]
    # nor the run's themes: a proposal with no theme yet has nothing to read there
    assert not [s for s in statements if " ".join(s.split()).find("FROM theme WHERE") >= 0]
    _check(db, consultation)


def test_a_new_proposal_is_stored_with_one_write_and_counts_right(
    app, db, consultation, objectives
):
    """A proposal just inserted has no mapping and no theme: its rows are written from the row
    itself (no delete, no read of mappings, runs or proposals), and they are the rule's. A
    mapping added to it later in the same transaction is still seen."""
    from sqlalchemy import event

    world = _world(db, consultation, objectives, random.Random(11))
    runs = world[1]
    runs[0].is_current = True
    db.add(runs[0])
    db.commit()
    objective = next(iter(objectives.values()))
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    engine = app.extensions["consult.engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        fresh = [
            Contribution(
                consultation_id=consultation.id,
                text=f"Appena arrivata {n}",
                status="pending",
                tracking_token=new_tracking_token(),
                suggested_objective_id=objective.id if n else None,
            )
            for n in range(2)
        ]
        db.add_all(fresh)
        db.flush()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    touching = [s for s in statements if "contribution_assignment" in s]
    assert len(touching) == 1 and touching[0].startswith("INSERT INTO contribution_assignment")
    assert not [s for s in statements if "FROM objectivemapping" in s or "FROM analysisrun" in s]
    _check(db, consultation)
    db.add(
        ObjectiveMapping(
            contribution_id=fresh[0].id,
            objective_id=objective.id,
            confidence=0.8,
            source="planner",
        )
    )
    db.commit()
    stored = assignment_store.stored_assignments(db, [fresh[0].id, fresh[1].id], threshold=0.0)
    assert stored[fresh[0].id].source == "planner"
    assert stored[fresh[1].id].source == "suggested"
    _check(db, consultation)
