"""Planners confirm or correct objective suggestions; confirmations survive and teach."""

from sqlmodel import select

from consult.analysis import corpus as analysis_corpus
from consult.analysis import mapping_review, theme_decisions
from consult.analysis.models import ObjectiveMapping, Theme
from consult.common.models import AuditLog
from consult.framework.models import Objective


def _suggest(db, run, confidence, objective=None, **target):
    db.add(
        ObjectiveMapping(
            objective_id=objective.id if objective else None,
            confidence=confidence,
            source="model",
            run_id=run.id,
            **target,
        )
    )
    db.commit()


def test_queue_lists_unconfirmed_low_confidence_items_least_sure_first(
    db, create_contribution, create_theme_run, create_user
):
    objective = db.exec(select(Objective)).first()
    a, b, c = (create_contribution(f"Proposta numero {i} sugli asili nido.") for i in range(3))
    run = create_theme_run({"Nidi": [a, b, c]})
    theme = db.exec(select(Theme)).one()
    _suggest(db, run, 0.3, objective, theme_id=theme.id)
    _suggest(db, run, 0.9, objective, contribution_id=a.id)
    _suggest(db, run, 0.1, objective, contribution_id=b.id)
    _suggest(db, run, 0.2, None, contribution_id=c.id)
    items = mapping_review.theme_items(db, run) + mapping_review.contribution_items(db, run)
    queue = mapping_review.queue(items, 0.5)
    assert [(i.kind, i.target.id) for i in queue] == [
        ("contribution", b.id),
        ("contribution", c.id),
        ("theme", theme.id),
    ]
    planner = create_user("planner")
    mapping_review.confirm(db, objective_id=objective.id, actor_id=planner.id, contribution=b)
    db.commit()
    items = mapping_review.theme_items(db, run) + mapping_review.contribution_items(db, run)
    assert b.id not in [i.target.id for i in mapping_review.queue(items, 0.5)]


def test_confirming_records_planner_mapping_audit_and_off_strategy(
    db, create_contribution, create_theme_run, create_user
):
    objective = db.exec(select(Objective)).first()
    proposal = create_contribution("Servirebbe un cinema all'aperto in ogni quartiere.")
    run = create_theme_run({"Tempo libero": [proposal]})
    theme = db.exec(select(Theme)).one()
    _suggest(db, run, 0.4, objective, theme_id=theme.id)
    planner = create_user("planner")
    mapping_review.confirm(db, objective_id=None, actor_id=planner.id, theme=theme)
    mapping_review.confirm(
        db, objective_id=objective.id, actor_id=planner.id, contribution=proposal
    )
    mapping_review.confirm(db, objective_id=None, actor_id=planner.id, contribution=proposal)
    db.commit()
    assert theme.is_off_strategy
    planner_rows = db.exec(select(ObjectiveMapping).where(ObjectiveMapping.source == "planner"))
    rows = {(r.theme_id, r.contribution_id): r for r in planner_rows}
    assert len(rows) == 2  # a correction replaces the earlier confirmation
    assert rows[(None, proposal.id)].objective_id is None
    assert rows[(None, proposal.id)].run_id is None  # outlives refits
    assert rows[(theme.id, None)].confirmed_by_id == planner.id
    audit = db.exec(select(AuditLog).where(AuditLog.action == "mapping.confirm")).all()
    assert audit[0].before == {"objective_id": objective.id, "confidence": 0.4, "source": "model"}
    assert [a.after for a in audit] == [
        {"objective_id": None},
        {"objective_id": objective.id},
        {"objective_id": None},
    ]


def test_confirmed_proposal_mappings_become_supervised_labels(
    app, db, create_contribution, create_theme_run, create_user
):
    objective = db.exec(select(Objective).where(Objective.code == "abitare")).one()
    first = create_contribution("Gli affitti sono troppo alti.")
    second = create_contribution("Un cinema in ogni quartiere.")
    run = create_theme_run({"Varie": [first, second]})
    planner = create_user("planner")
    mapping_review.confirm(db, objective_id=objective.id, actor_id=planner.id, contribution=first)
    mapping_review.confirm(db, objective_id=None, actor_id=planner.id, contribution=second)
    db.commit()
    corpus = analysis_corpus.load(app.extensions["consult.engine"], run.id)
    assert corpus.labels == {0: "abitare", 1: "fuori-strategia"}


def test_theme_mapping_is_carried_to_the_matched_theme(
    db, create_contribution, create_theme_run, create_user
):
    objective = db.exec(select(Objective)).first()
    proposal = create_contribution("Più posti negli asili nido comunali.")
    old_run = create_theme_run({"Nidi": [proposal]})
    old = db.exec(select(Theme).where(Theme.run_id == old_run.id)).one()
    planner = create_user("planner")
    mapping_review.confirm(db, objective_id=objective.id, actor_id=planner.id, theme=old)
    db.commit()
    new_run = create_theme_run({"Nidi": [proposal]})
    new = db.exec(select(Theme).where(Theme.run_id == new_run.id)).one()
    new.stable_key = old.stable_key
    db.add(new)
    theme_decisions.carry_over(db, old_run, new_run)
    db.commit()
    carried = db.exec(select(ObjectiveMapping).where(ObjectiveMapping.theme_id == new.id)).one()
    assert (carried.source, carried.objective_id) == ("planner", objective.id)
    assert carried.confirmed_by_id == planner.id


def test_a_tied_runner_up_is_never_taken_for_the_models_suggestion(
    db, create_contribution, create_theme_run, create_user
):
    """The classifier reports a runner-up tied with an uncertain best, written after it: the
    review page and the audit's "before" show the best (id order breaks the tie)."""
    best, runner_up = db.exec(select(Objective).order_by(Objective.id.desc())).all()[:2]
    proposal = create_contribution("Servono dormitori aperti tutto l'anno per chi vive in strada.")
    run = create_theme_run({"Strada": [proposal]})
    _suggest(db, run, 0.31, best, contribution_id=proposal.id)
    _suggest(db, run, 0.31, runner_up, contribution_id=proposal.id)
    item = next(i for i in mapping_review.contribution_items(db, run) if i.target.id == proposal.id)
    assert item.top is not None and item.top.objective_id == best.id
    mapping_review.confirm(
        db, objective_id=runner_up.id, actor_id=create_user("planner").id, contribution=proposal
    )
    db.commit()
    audit = db.exec(select(AuditLog).where(AuditLog.action == "mapping.confirm")).one()
    assert audit.before == {"objective_id": best.id, "confidence": 0.31, "source": "model"}


def test_the_paged_review_and_queue_equal_the_whole_lists_on_random_suggestions(
    db, create_contribution, create_theme_run, create_user, create_analysis
):
    """The mapping page reads one page and the least sure proposals in SQL; they must be
    exactly what the whole lists give, with planners' confirmations, several suggestions per
    proposal, ties and another run's rows mixed in."""
    import random

    rng = random.Random(11)
    objectives = db.exec(select(Objective)).all()
    proposals = [create_contribution(f"Proposta {i} sui servizi sociali.") for i in range(45)]
    run = create_theme_run({"Servizi": proposals[:3]})
    other_run = create_analysis(is_current=False)
    planner = create_user("planner")
    for proposal in proposals[3:]:
        for _ in range(rng.randrange(0, 3)):
            confidence = rng.choice([0.1, 0.25, 0.25, 0.4, 0.6, 0.9])
            objective = rng.choice([*objectives, None])
            _suggest(db, run, confidence, objective, contribution_id=proposal.id)
        if rng.random() < 0.2:
            _suggest(db, other_run, 0.05, None, contribution_id=proposal.id)
        if rng.random() < 0.15:
            mapping_review.confirm(
                db, objective_id=objectives[0].id, actor_id=planner.id, contribution=proposal
            )
    db.commit()
    whole = sorted(mapping_review.contribution_items(db, run), key=lambda i: i.target.id)

    def key(items):
        return [
            (i.target.id, [(s.objective_id, s.confidence, s.source) for s in i.suggestions])
            for i in items
        ]

    pages = []
    for page in range(1, 6):
        items, total = mapping_review.contribution_page(db, run, page, 10)
        assert total == len(whole)
        pages += items
    assert key(pages) == key(whole)
    assert mapping_review.contribution_page(db, run, 99, 10) == ([], len(whole))
    for threshold, limit in ((0.5, 30), (0.3, 4), (0.95, 100)):
        expected = mapping_review.queue(whole, threshold)[:limit]
        assert expected
        assert key(mapping_review.contribution_queue(db, run, threshold, limit)) == key(expected)
