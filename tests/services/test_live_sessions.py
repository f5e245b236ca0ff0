"""Live sessions: codes, one row per tap, closed rooms, what the projector counts."""

import pytest
from sqlmodel import select

from consult.analysis import live_classification
from consult.analysis.models import ObjectiveMapping
from consult.common.models import AuditLog
from consult.framework.models import Axis, Objective
from consult.live import services as live_sessions
from consult.live.services import LiveProposal, LiveSessionError
from consult.meetings.models import WorkingGroup
from consult.proposals.models import Contribution


def _proposal(key="k" * 20, text="Servono più educatori di strada nei quartieri.", **fields):
    values = {"territory_id": None, "participant_role": None, "working_group_id": None}
    values.update(fields)
    return LiveProposal(text=text, idempotency_key=key, **values)


def test_new_codes_use_only_unambiguous_characters(db, consultation):
    codes = {live_sessions.new_code(db) for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 6
        assert not set(code) & set("0O1IL")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abc234", "ABC234"),
        (" abc-234 ", "ABC234"),
        ("dema42", "DEMA42"),
        ("demo42", "DEMO42"),  # a code from before the rule still opens its room
        ("ab", None),
        ("ab!cd", None),
    ],
)
def test_typed_codes_are_normalised(typed, expected):
    assert live_sessions.normalise_code(typed) == expected


def test_open_session_with_one_group_per_axis_and_custom_groups(db, create_user, create_meeting):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator])
    consultation_framework = db.exec(select(Objective)).first().framework_id
    db.add(Axis(framework_id=consultation_framework, number=1, title="Famiglie"))
    db.add(Axis(framework_id=consultation_framework, number=2, title="Lavoro"))
    db.commit()
    live = live_sessions.open_session(
        db, meeting, actor_id=facilitator.id, groups=["Giovani", " "], groups_per_axis=True
    )
    db.commit()
    names = [g.name for g in db.exec(select(WorkingGroup).order_by(WorkingGroup.position))]
    assert names == ["Asse 1 · Famiglie", "Asse 2 · Lavoro", "Giovani"]
    assert live.moderation == "pre" and live.status == "open"
    assert db.exec(select(AuditLog).where(AuditLog.action == "live_session.open")).one()


def test_a_closed_meeting_cannot_open_a_session(db, create_user, create_meeting):
    meeting = create_meeting(status="closed")
    with pytest.raises(LiveSessionError):
        live_sessions.open_session(db, meeting, actor_id=create_user(role="admin").id)


def test_submit_stores_one_row_for_a_double_tap(db, create_live_session, create_meeting):
    live = create_live_session()
    first, created = live_sessions.submit(db, live, _proposal())
    again, created_again = live_sessions.submit(db, live, _proposal())
    db.commit()
    assert created and not created_again and first.id == again.id
    rows = db.exec(select(Contribution)).all()
    assert len(rows) == 1
    assert rows[0].channel == "live" and rows[0].status == "pending"
    assert rows[0].live_session_id == live.id and rows[0].meeting_id == live.meeting_id
    assert rows[0].consent_at is not None


def test_post_moderated_sessions_publish_at_once_with_the_meeting_territory(
    db, create_live_session, create_meeting
):
    from consult.framework.models import Territory

    torino = db.exec(select(Territory).where(Territory.code == "torino")).one()
    live = create_live_session(
        meeting=create_meeting(territory_id=torino.id, status="open"), moderation="post"
    )
    contribution, _ = live_sessions.submit(db, live, _proposal())
    assert contribution.status == "published" and contribution.published_at is not None
    assert contribution.territory_id == torino.id


def test_closed_sessions_refuse_proposals(db, create_live_session):
    live = create_live_session(status="closed")
    with pytest.raises(LiveSessionError):
        live_sessions.submit(db, live, _proposal())
    assert db.exec(select(Contribution)).all() == []


def test_objective_counts_prefer_mappings_then_suggested_objective(
    db, create_live_session, create_contribution
):
    live = create_live_session()
    isee, abitare = db.exec(select(Objective).order_by(Objective.position)).all()
    common = {"live_session_id": live.id, "meeting_id": live.meeting_id, "channel": "live"}
    create_contribution(suggested_objective_id=isee.id, **common)
    mapped = create_contribution(suggested_objective_id=isee.id, **common)
    create_contribution(**common)  # no signal: not counted
    create_contribution(suggested_objective_id=abitare.id, status="pending", **common)
    db.add(ObjectiveMapping(contribution_id=mapped.id, objective_id=abitare.id, confidence=0.9))
    db.commit()
    counts = {o.code: n for o, n in live_sessions.objective_counts(db, live)}
    assert counts == {"isee": 1, "abitare": 1}


def test_objective_for_is_the_seam_for_incremental_assignment():
    assert live_classification.objective_for("testo qualsiasi", "abitare") == ("abitare", 1.0)
    assert live_classification.objective_for("testo qualsiasi") is None


def test_the_demo_code_follows_the_code_rule():
    """The demo shows people what a code looks like: it must be one the product hands out."""
    from consult.cli.demo import DEMO_LIVE_CODE

    assert live_sessions.follows_code_rule(DEMO_LIVE_CODE)
    assert not live_sessions.follows_code_rule("DEMO42")  # O looks like 0


def test_a_chosen_code_with_look_alikes_is_refused(db, create_user, create_meeting):
    meeting = create_meeting(status="open")
    with pytest.raises(live_sessions.LiveSessionError):
        live_sessions.open_session(
            db, meeting, actor_id=create_user(role="admin").id, code="DEMO42"
        )


def test_closing_a_session_freezes_its_open_rounds_and_polls(db, create_user, create_meeting):
    from consult.live import polls, priorities

    admin = create_user(role="admin")
    live = live_sessions.open_session(db, create_meeting(status="open"), actor_id=admin.id)
    round_ = priorities.open_round(db, live, actor_id=admin.id, method="top3")
    poll = polls.open_poll(
        db, live, actor_id=admin.id, kind="single", question="Sì o no?", options=["Sì", "No"]
    )
    live_sessions.close_session(db, live, actor_id=admin.id)
    db.commit()
    assert (round_.status, poll.status) == ("closed", "closed")
    assert round_.result["voters"] == 0 and poll.result["options"] == [["Sì", 0], ["No", 0]]


def test_two_taps_racing_for_the_same_ballot_leave_one_row_with_the_later_values(
    db, create_user, create_meeting
):
    """The losing tap's insert hits the unique constraint and updates the winner's row."""
    from consult.live import phones, priorities
    from consult.live.models import PriorityBallot

    admin = create_user(role="admin")
    live = live_sessions.open_session(db, create_meeting(status="open"), actor_id=admin.id)
    phone = phones.register(db, live.id, "token-of-one-phone")
    round_ = priorities.open_round(db, live, actor_id=admin.id, method="points", points=5)
    db.add(PriorityBallot(round_id=round_.id, phone_id=phone.id, allocations={"1": 5}))
    db.commit()  # the other tap's row, already stored
    looks = iter([None])  # this tap looked before the other committed: it saw nothing

    def find():
        return next(looks, None) or db.exec(select(PriorityBallot)).first()

    def update(row):
        row.allocations = {"1": 2}

    row = phones.one_per_phone(
        db,
        find,
        lambda: PriorityBallot(round_id=round_.id, phone_id=phone.id, allocations={"1": 2}),
        update,
    )
    db.commit()
    assert db.exec(select(PriorityBallot)).all() == [row]
    assert row.allocations == {"1": 2}
