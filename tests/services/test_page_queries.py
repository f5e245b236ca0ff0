"""The reads the public, API, planning and accountability pages delegate to their services."""

from datetime import UTC, datetime

from sqlmodel import select

from consult.accountability import responses as service
from consult.accountability import tracking
from consult.framework import services as framework
from consult.framework.models import Axis, Framework, Objective, Phase, Territory
from consult.meetings.figures import PublicFigures, public_figures
from consult.planning.coverage import meetings_of, province_of


def _other_framework(db) -> Framework:
    """A second framework with an objective of the same code as the test framework's."""
    other = Framework(code="altra-strategia", title="Altra strategia")
    db.add(other)
    db.flush()
    db.add(Objective(framework_id=other.id, code="isee", kind="cross-cutting", title="Altro ISEE"))
    db.commit()
    return other


def test_objectives_are_the_frameworks_own_in_strategy_order(db, consultation):
    _other_framework(db)
    isee = db.exec(
        select(Objective).where(
            Objective.framework_id == consultation.framework_id, Objective.code == "isee"
        )
    ).one()
    isee.position = 9  # now after "abitare"
    db.commit()
    found = framework.objectives(db, consultation.framework_id)
    assert [o.code for o in found] == ["abitare", "isee"]
    assert {o.framework_id for o in found} == {consultation.framework_id}


def test_objective_by_code_stays_within_its_framework(db, consultation):
    other = _other_framework(db)
    found = framework.objective_by_code(db, consultation.framework_id, "isee")
    assert found is not None and found.framework_id == consultation.framework_id
    assert framework.objective_by_code(db, other.id, "isee").title == "Altro ISEE"
    assert framework.objective_by_code(db, consultation.framework_id, "nessuno") is None


def test_axes_and_phases_come_in_display_order(db, consultation):
    db.add(Axis(framework_id=consultation.framework_id, number=2, title="Secondo"))
    db.add(Axis(framework_id=consultation.framework_id, number=1, title="Primo"))
    db.add(Phase(consultation_id=consultation.id, position=1, name="Restituzione"))
    db.add(Phase(consultation_id=consultation.id, position=0, name="Ascolto"))
    db.commit()
    assert [a.number for a in framework.axes(db, consultation.framework_id)] == [1, 2]
    assert [p.name for p in framework.phases(db, consultation.id)] == ["Ascolto", "Restituzione"]
    assert framework.phases(db, consultation.id + 1000) == []


def test_territories_are_grouped_by_kind_then_named(db, territories):
    cuneo = territories["cuneo"]
    alba = Territory(code="alba", name="Alba", kind="ambito", parent_id=cuneo.id)
    alba.framework_id = cuneo.framework_id
    db.add(alba)
    db.commit()
    codes = [t.code for t in framework.territories_by_kind(db, cuneo.framework_id)]
    assert codes == ["alba", "cuneo", "torino"]


def test_objective_titles_and_codes_by_id(db, objectives):
    isee = objectives["isee"]
    assert framework.objective_titles(db)[isee.id] == "Regolamento ISEE"
    assert framework.objective_codes(db)[isee.id] == "isee"


def test_home_figures_count_published_proposals_and_meetings_held_apart_from_upcoming(
    db, consultation, create_contribution, create_meeting
):
    create_contribution()
    create_contribution(status="pending")
    create_meeting(status="closed", title="Svolto")
    create_meeting(status="open", title="Oggi")
    create_meeting(status="planned", title="Domani")
    create_meeting(status="planned", title="Dopodomani")
    figures = public_figures(db, consultation.id)
    assert (figures.proposals, figures.meetings_held, figures.meetings_upcoming) == (1, 1, 3)
    assert public_figures(db, consultation.id + 1000) == PublicFigures()


def test_planners_list_has_drafts_last_changed_first(db, consultation, create_response):
    old = create_response(theme_stable_key="a", updated_at=datetime(2026, 1, 1, tzinfo=UTC))
    draft = create_response(
        theme_stable_key="b", published=False, updated_at=datetime(2026, 2, 1, tzinfo=UTC)
    )
    assert service.consultation_responses(db, consultation.id) == [draft, old]
    assert service.published_responses(db, consultation.id) == [old]
    assert service.consultation_responses(db, consultation.id + 1000) == []


def test_a_response_of_another_consultation_is_not_found(db, consultation, create_response):
    response = create_response(theme_stable_key="a")
    assert service.get_response(db, response.id, consultation.id) == response
    assert service.get_response(db, response.id, consultation.id + 1000) is None
    assert service.get_response(db, response.id + 1000, consultation.id) is None


def test_a_response_may_target_only_a_proposal_of_its_consultation(
    db, consultation, create_contribution
):
    proposal = create_contribution()
    assert service.proposal_exists(db, consultation.id, proposal.id)
    assert not service.proposal_exists(db, consultation.id + 1000, proposal.id)
    assert not service.proposal_exists(db, consultation.id, proposal.id + 1000)


def test_the_receipt_links_back_only_to_an_open_live_session(
    db, create_contribution, create_live_session
):
    live = create_live_session()
    from_room = create_contribution(live_session_id=live.id)
    assert tracking.open_live_session(db, from_room) == live
    live.status = "closed"
    db.commit()
    assert tracking.open_live_session(db, from_room) is None
    assert tracking.open_live_session(db, create_contribution()) is None


def test_meetings_of_a_consultation_in_calendar_order(db, consultation, create_meeting):
    later = create_meeting(title="Dopo", starts_at=datetime(2026, 5, 2, 10, tzinfo=UTC))
    sooner = create_meeting(title="Prima", starts_at=datetime(2026, 5, 1, 10, tzinfo=UTC))
    assert meetings_of(db, consultation.id) == [sooner, later]
    assert meetings_of(db, consultation.id + 1000) == []


def test_territories_roll_up_to_their_province_and_orphans_to_none(db, territories):
    cuneo = territories["cuneo"]
    framework_id = cuneo.framework_id
    alba = Territory(
        framework_id=framework_id, code="alba", name="Alba", kind="ambito", parent_id=cuneo.id
    )
    lost = Territory(framework_id=framework_id, code="perso", name="Senza provincia", kind="ambito")
    db.add_all([alba, lost])
    db.commit()
    provinces = province_of(db, framework_id)
    assert provinces[alba.id] == cuneo and provinces[cuneo.id] == cuneo
    assert lost.id not in provinces
