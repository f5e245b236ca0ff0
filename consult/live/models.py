"""What phones do in a live room beyond proposing: their consent, priorities rounds, quick polls.

A phone is known only by a hash of the random id in its signed cookie, salted with the session,
so the same browser is a different, unlinkable phone in each session and a database leak cannot
impersonate it. Supports from the room are ordinary `Support` rows keyed by that hash.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import json_field, utcnow

ROUND_METHODS = ("points", "top3")
POLL_KINDS = ("single", "multiple", "words")
VOTE_STATES = ("open", "closed")


class LivePhone(SQLModel, table=True):
    """One phone in one live session, and when it gave its consent (asked once)."""

    __table_args__ = (UniqueConstraint("live_session_id", "phone_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    live_session_id: int = Field(foreign_key="livesession.id", index=True)
    phone_hash: str = Field(max_length=64)
    consented_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class PriorityRound(SQLModel, table=True):
    """Phones rank the approved proposals of the plenary (no group) or of one working group.

    `points`: each phone spreads `points` dots; `top3`: each phone picks three, worth 3, 2, 1.
    Once closed, `result` is the frozen tally: later changes to proposals do not move it.
    """

    id: int | None = Field(default=None, primary_key=True)
    live_session_id: int = Field(foreign_key="livesession.id", index=True)
    working_group_id: int | None = Field(default=None, foreign_key="workinggroup.id", index=True)
    method: str = Field(default="points", max_length=10)
    points: int = 10
    status: str = Field(default="open", max_length=10)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    result: dict[str, Any] | None = json_field(default_factory=lambda: None, nullable=True)


class PriorityBallot(SQLModel, table=True):
    """One phone's ballot in one round: points per proposal id; replaced until the round closes."""

    __table_args__ = (UniqueConstraint("round_id", "phone_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="priorityround.id", index=True)
    phone_id: int = Field(foreign_key="livephone.id", index=True)
    allocations: dict[str, int] = json_field(default_factory=dict)
    updated_at: datetime = Field(default_factory=utcnow)


class LivePoll(SQLModel, table=True):
    """A quick question to the room: one choice, several choices, or a few words (word cloud)."""

    id: int | None = Field(default=None, primary_key=True)
    live_session_id: int = Field(foreign_key="livesession.id", index=True)
    working_group_id: int | None = Field(default=None, foreign_key="workinggroup.id", index=True)
    kind: str = Field(default="single", max_length=10)
    question: str = Field(max_length=300)
    options: list[str] = json_field()
    status: str = Field(default="open", max_length=10)
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    result: dict[str, Any] | None = json_field(default_factory=lambda: None, nullable=True)


class PollAnswer(SQLModel, table=True):
    """One phone's answer to a poll: option indexes, or the words it typed; open to change."""

    __table_args__ = (UniqueConstraint("poll_id", "phone_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="livepoll.id", index=True)
    phone_id: int = Field(foreign_key="livephone.id", index=True)
    choices: list[int] = json_field()
    words: str = Field(default="", max_length=200)
    # The words' Italian content lemmas, computed once when answered: the cloud only counts them.
    lemmas: list[str] = json_field()
    updated_at: datetime = Field(default_factory=utcnow)
