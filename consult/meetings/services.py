"""The meeting registry: planned, open and closed territorial meetings, and what they produced."""

from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session, col, func, select

from consult.accounts.models import User
from consult.common import audit
from consult.common.models import utcnow
from consult.framework import services as framework_services
from consult.framework.models import Consultation, Territory
from consult.meetings.models import LiveSession, Meeting, MeetingFacilitator
from consult.proposals.models import Contribution

EDITABLE_FIELDS = ("title", "territory_id", "place", "starts_at", "agenda", "km_travelled")
TRANSITIONS = {"planned": {"open", "closed"}, "open": {"closed"}, "closed": set()}


class MeetingError(ValueError):
    """A change the meeting's state does not allow; the message is shown to the user."""


@dataclass(frozen=True)
class ClosingRecord:
    attendance: int | None
    organisations: str
    minutes: str
    minutes_file: str | None = None

    def missing(self) -> list[str]:
        """Names of the required parts that are missing: attendance, organisations, minutes."""
        gaps = []
        if self.attendance is None or self.attendance < 0:
            gaps.append("attendance")
        if not self.organisations.strip():
            gaps.append("organisations")
        if not self.minutes.strip() and not self.minutes_file:
            gaps.append("minutes")
        return gaps


class _Stored(Protocol):
    id: int | None


def stored_id(row: _Stored) -> int:
    """The primary key of a row already flushed to the database (which always has one)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has not been flushed yet")
    return row.id


def get_meeting(db: Session, meeting_id: int) -> Meeting | None:
    return db.get(Meeting, meeting_id)


def get_live_session(db: Session, session_id: int) -> LiveSession | None:
    return db.get(LiveSession, session_id)


def facilitator_ids(db: Session, meeting_id: int) -> set[int]:
    rows = db.exec(
        select(MeetingFacilitator.user_id).where(MeetingFacilitator.meeting_id == meeting_id)
    ).all()
    return set(rows)


def can_manage(db: Session, user: Any, meeting: Meeting) -> bool:
    """Only the meeting's own facilitators and admins run, moderate and project it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role == "admin" or user.id in facilitator_ids(db, stored_id(meeting))


def facilitators(db: Session, meeting_id: int) -> list[User]:
    """The accounts of the meeting's facilitators."""
    ids = facilitator_ids(db, meeting_id)
    return list(db.exec(select(User).where(col(User.id).in_(ids))))


def live_sessions(db: Session, meeting_id: int, *, newest_first: bool = True) -> list[LiveSession]:
    """The meeting's live sessions, newest first (or in the order they were opened)."""
    order = (col(LiveSession.opened_at).desc(),) if newest_first else (col(LiveSession.id),)
    return list(
        db.exec(select(LiveSession).where(LiveSession.meeting_id == meeting_id).order_by(*order))
    )


def linked_contributions(db: Session, meeting_id: int) -> int:
    """How many proposals are linked to the meeting, whatever their channel or state."""
    return db.exec(
        select(func.count()).select_from(Contribution).where(Contribution.meeting_id == meeting_id)
    ).one()


def territories(db: Session, framework_id: int) -> list[Territory]:
    """The consultation's framework's territories, by name, for the territory fields."""
    return framework_services.territories(db, framework_id)


def meeting_territories(db: Session, meeting: Meeting) -> list[Territory]:
    """The territories of the meeting's consultation (a live phone has no consultation prefix)."""
    consultation = db.get(Consultation, meeting.consultation_id)
    return territories(db, consultation.framework_id) if consultation is not None else []


def territory_names(db: Session, framework_id: int) -> dict[int, str]:
    return {stored_id(t): t.name for t in framework_services.territories(db, framework_id)}


def get_territory(db: Session, territory_id: int | None) -> Territory | None:
    return db.get(Territory, territory_id) if territory_id else None


def meetings_for(db: Session, user: User, consultation_id: int) -> list[Meeting]:
    """Admins see every meeting; facilitators the ones they run."""
    query = select(Meeting).where(Meeting.consultation_id == consultation_id)
    if user.role != "admin":
        query = query.join(MeetingFacilitator).where(MeetingFacilitator.user_id == user.id)
    return list(db.exec(query.order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())))


def facilitator_choices(db: Session) -> list[User]:
    return list(
        db.exec(
            select(User)
            .where(User.role == "facilitator", User.active)
            .order_by(User.display_name, User.email)
        )
    )


def save_meeting(
    db: Session,
    *,
    actor_id: int,
    values: dict[str, Any],
    facilitators: set[int],
    meeting: Meeting | None = None,
    consultation_id: int | None = None,
) -> Meeting:
    """Create or edit a meeting and its facilitators; the author always stays a facilitator."""
    creating = meeting is None
    if meeting is None:
        if consultation_id is None:
            raise ValueError("a new meeting needs its consultation")
        meeting = Meeting(consultation_id=consultation_id, title=values["title"])
    before = None if creating else _state(meeting)
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(meeting, name, values[name])
    db.add(meeting)
    db.flush()
    wanted = set(facilitators) | ({actor_id} if creating else set())
    _set_facilitators(db, stored_id(meeting), wanted)
    audit.record(
        db,
        actor_id=actor_id,
        action="meeting.create" if creating else "meeting.update",
        entity_type="meeting",
        entity_id=stored_id(meeting),
        before=before,
        after={**_state(meeting), "facilitators": sorted(wanted)},
    )
    return meeting


def _set_facilitators(db: Session, meeting_id: int, wanted: set[int]) -> None:
    current = facilitator_ids(db, meeting_id)
    for user_id in wanted - current:
        db.add(MeetingFacilitator(meeting_id=meeting_id, user_id=user_id))
    for link in db.exec(
        select(MeetingFacilitator).where(MeetingFacilitator.meeting_id == meeting_id)
    ):
        if link.user_id not in wanted:
            db.delete(link)
    db.flush()


def open_meeting(db: Session, meeting: Meeting, *, actor_id: int) -> None:
    _transition(db, meeting, "open", actor_id=actor_id)


def close_meeting(db: Session, meeting: Meeting, record: ClosingRecord, *, actor_id: int) -> None:
    """Close with attendance, organisations and minutes; also closes its live sessions."""
    if record.missing():
        raise MeetingError(", ".join(record.missing()))
    meeting.attendance = record.attendance
    meeting.organisations = record.organisations.strip()
    meeting.minutes = record.minutes.strip()
    if record.minutes_file:
        meeting.minutes_file = record.minutes_file
    meeting.closed_at = utcnow()
    _transition(db, meeting, "closed", actor_id=actor_id)
    for live in db.exec(
        select(LiveSession).where(
            LiveSession.meeting_id == meeting.id, LiveSession.status == "open"
        )
    ):
        live.status, live.closed_at = "closed", utcnow()
        db.add(live)
    db.flush()


def _transition(db: Session, meeting: Meeting, target: str, *, actor_id: int) -> None:
    if target not in TRANSITIONS[meeting.status]:
        raise MeetingError(f"{meeting.status}->{target}")
    before = _state(meeting)
    meeting.status = target
    db.add(meeting)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=f"meeting.{target}",
        entity_type="meeting",
        entity_id=stored_id(meeting),
        before=before,
        after=_state(meeting),
    )


def _state(meeting: Meeting) -> dict[str, Any]:
    return {
        "title": meeting.title,
        "territory_id": meeting.territory_id,
        "place": meeting.place,
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        "km_travelled": meeting.km_travelled,
        "status": meeting.status,
        "attendance": meeting.attendance,
        "organisations": meeting.organisations,
        "minutes_file": meeting.minutes_file,
    }
