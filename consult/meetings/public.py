"""Meetings as the public sees them: what is coming (and who says they will come), and what
happened (attendance, organisations, the minutes), so a citizen can take part and check."""

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from consult.framework.models import Territory
from consult.meetings.models import Meeting, MeetingRegistration


class RegistrationClosed(ValueError):
    """The meeting is over: nobody registers for it any more."""


@dataclass(frozen=True)
class PublicMeeting:
    meeting: Meeting
    territory: Territory | None
    registrations: int


@dataclass(frozen=True)
class Calendar:
    upcoming: list[PublicMeeting]
    past: list[PublicMeeting]


def calendar(db: Session, consultation_id: int) -> Calendar:
    """Meetings still to come or running (soonest first) and closed ones (latest first)."""
    found = db.exec(
        select(Meeting)
        .where(Meeting.consultation_id == consultation_id)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    ).all()
    territories = _territories(db, {m.territory_id for m in found} - {None})
    counts = registration_counts(db, [m.id for m in found if m.id is not None])
    shown = [
        PublicMeeting(m, territories.get(m.territory_id), counts.get(m.id or 0, 0)) for m in found
    ]
    return Calendar(
        upcoming=[p for p in shown if p.meeting.status != "closed"],
        past=[p for p in reversed(shown) if p.meeting.status == "closed"],
    )


def _territories(db: Session, ids: set[int | None]) -> dict[int | None, Territory]:
    """The meetings' own territories by id, not every framework's."""
    if not ids:
        return {}
    return {t.id: t for t in db.exec(select(Territory).where(col(Territory.id).in_(ids)))}


def public_meeting(db: Session, consultation_id: int, meeting_id: int) -> PublicMeeting | None:
    meeting = db.get(Meeting, meeting_id)
    if meeting is None or meeting.consultation_id != consultation_id:
        return None
    territory = db.get(Territory, meeting.territory_id) if meeting.territory_id else None
    registered = registration_counts(db, [meeting_id]).get(meeting_id, 0)
    return PublicMeeting(meeting, territory, registered)


def registration_counts(db: Session, meeting_ids: list[int]) -> dict[int, int]:
    if not meeting_ids:
        return {}
    rows = db.exec(
        select(MeetingRegistration.meeting_id, func.count())
        .where(col(MeetingRegistration.meeting_id).in_(meeting_ids))
        .group_by(col(MeetingRegistration.meeting_id))
    ).all()
    return {meeting_id: count for meeting_id, count in rows}


def registrations(db: Session, meeting_id: int) -> list[MeetingRegistration]:
    """For the meeting's facilitators: who said they will come, in order."""
    return list(
        db.exec(
            select(MeetingRegistration)
            .where(MeetingRegistration.meeting_id == meeting_id)
            .order_by(col(MeetingRegistration.created_at), col(MeetingRegistration.id))
        )
    )


def register(
    db: Session, meeting: Meeting, *, name: str, email: str | None, idempotency_key: str
) -> tuple[MeetingRegistration, bool]:
    """Count someone in (named or not); the same page sent twice, or the same address, is one
    registration. Returns the registration and whether it is new."""
    if meeting.status == "closed":
        raise RegistrationClosed(meeting.id)
    assert meeting.id is not None
    email = email.strip().lower() if email else None
    existing = _existing(db, meeting.id, idempotency_key, email)
    if existing is not None:
        return existing, False
    registration = MeetingRegistration(
        meeting_id=meeting.id, name=name.strip(), email=email, idempotency_key=idempotency_key
    )
    try:
        with db.begin_nested():
            db.add(registration)
    except IntegrityError:  # a concurrent twin won the race
        again = _existing(db, meeting.id, idempotency_key, email)
        assert again is not None
        return again, False
    return registration, True


def _existing(
    db: Session, meeting_id: int, idempotency_key: str, email: str | None
) -> MeetingRegistration | None:
    same = col(MeetingRegistration.idempotency_key) == idempotency_key
    if email:
        same = same | (col(MeetingRegistration.email) == email)
    return db.exec(
        select(MeetingRegistration).where(MeetingRegistration.meeting_id == meeting_id, same)
    ).first()
