"""The meeting registry: closing needs its record; statistics add up what was held."""

import pytest
from sqlmodel import select

from consult.common.models import AuditLog
from consult.framework.models import Territory
from consult.meetings import figures
from consult.meetings import services as meetings
from consult.meetings.models import LiveSession, MeetingFacilitator
from consult.meetings.services import ClosingRecord, MeetingError


def test_closing_without_attendance_organisations_or_minutes_is_refused(db, create_meeting):
    meeting = create_meeting(status="open")
    with pytest.raises(MeetingError):
        meetings.close_meeting(db, meeting, ClosingRecord(None, "", ""), actor_id=None)
    assert ClosingRecord(None, " ", "").missing() == ["attendance", "organisations", "minutes"]
    assert ClosingRecord(12, "ASL", "", minutes_file="x.pdf").missing() == []
    assert meeting.status == "open"


def test_closing_records_the_meeting_and_closes_its_live_sessions(
    db, create_meeting, create_live_session, create_user
):
    admin = create_user(role="admin")
    meeting = create_meeting(status="open")
    live = create_live_session(meeting=meeting)
    meetings.close_meeting(
        db, meeting, ClosingRecord(42, "Caritas\nASL", "Verbale"), actor_id=admin.id
    )
    db.commit()
    assert meeting.status == "closed" and meeting.attendance == 42 and meeting.closed_at
    assert db.get(LiveSession, live.id).status == "closed"
    with pytest.raises(MeetingError):
        meetings.open_meeting(db, meeting, actor_id=admin.id)
    assert db.exec(select(AuditLog).where(AuditLog.action == "meeting.closed")).one()


def test_the_creator_stays_a_facilitator(db, consultation, create_user):
    author, colleague = create_user(role="facilitator"), create_user(role="facilitator")
    meeting = meetings.save_meeting(
        db,
        actor_id=author.id,
        values={"title": "Incontro di Asti"},
        facilitators={colleague.id},
        consultation_id=consultation.id,
    )
    db.commit()
    links = db.exec(select(MeetingFacilitator.user_id)).all()
    assert set(links) == {author.id, colleague.id}
    meetings.save_meeting(
        db, actor_id=author.id, values={}, facilitators={colleague.id}, meeting=meeting
    )
    db.commit()
    assert set(db.exec(select(MeetingFacilitator.user_id)).all()) == {colleague.id}


def test_statistics_add_up_closed_meetings_and_published_proposals(
    db, consultation, create_meeting, create_contribution
):
    torino, cuneo = db.exec(select(Territory).order_by(Territory.code.desc())).all()
    create_meeting(status="closed", attendance=200, km_travelled=0.0, territory_id=torino.id)
    create_meeting(status="closed", attendance=208, km_travelled=1117.9, territory_id=cuneo.id)
    create_meeting(status="closed", attendance=0, km_travelled=None, territory_id=cuneo.id)
    create_meeting(status="planned", attendance=None, km_travelled=50.0)
    create_contribution(channel="live")
    create_contribution(channel="live")
    create_contribution(channel="paper")
    create_contribution(channel="live", status="pending")
    stats = figures.public_figures(db, consultation.id)
    assert stats.meetings_held == 3
    assert stats.interlocutors == 408
    assert stats.territories == 2
    assert stats.km_travelled == pytest.approx(1117.9)
    assert stats.per_channel == {"live": 2, "paper": 1} and stats.proposals == 3
    assert stats.meetings_upcoming == 1
