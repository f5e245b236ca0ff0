"""Territorial meetings and the live sessions held in them."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import utcnow

MEETING_STATES = ("planned", "open", "closed")
MODERATION_MODES = ("pre", "post")


class Meeting(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    title: str = Field(max_length=300)
    territory_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    place: str = Field(default="", max_length=300)
    starts_at: datetime | None = None
    agenda: str = ""
    status: str = Field(default="planned", max_length=20)
    km_travelled: float | None = None
    attendance: int | None = None
    organisations: str = ""
    minutes: str = ""
    minutes_file: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class MeetingFacilitator(SQLModel, table=True):
    """Who may moderate and project a meeting's sessions."""

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True)


class LiveSession(SQLModel, table=True):
    """A room that phones join by short code during a meeting."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    code: str = Field(max_length=12, unique=True, index=True)
    status: str = Field(default="open", max_length=20)
    moderation: str = Field(default="pre", max_length=10)
    # What phones see besides the form: the room's approved proposals, and whether they may
    # support them. The facilitator turns each on or off during the meeting.
    feed_enabled: bool = True
    supports_enabled: bool = True
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class WorkingGroup(SQLModel, table=True):
    """A working group of a live session (for example one per axis)."""

    id: int | None = Field(default=None, primary_key=True)
    live_session_id: int = Field(foreign_key="livesession.id", index=True)
    name: str = Field(max_length=200)
    axis_number: int | None = None
    position: int = 0
    # The meeting's facilitator who runs this group (its queue and projector open on it).
    facilitator_id: int | None = Field(default=None, foreign_key="user.id", index=True)


class MeetingRegistration(SQLModel, table=True):
    """Someone who says they will come to a public meeting: named, or only counted.

    The page's idempotency key makes a double tap one registration; an address registers once."""

    __table_args__ = (
        UniqueConstraint("meeting_id", "idempotency_key"),
        UniqueConstraint("meeting_id", "email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=254, index=True)
    idempotency_key: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
