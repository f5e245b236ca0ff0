"""Proposals, the supports and comments on them, and abuse reports."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import json_field, utcnow

CHANNELS = ("online", "live", "meeting", "paper", "import")
PARTICIPANT_ROLES = (
    "cittadino",
    "operatore-sociale",
    "ente-locale",
    "terzo-settore",
    "sindacato",
    "servizio-civile",
    "altro",
)
# pending: waits for moderation; published: visible; rejected: with a reason;
# merged: folded into another proposal; hidden: withdrawn after an abuse report.
CONTRIBUTION_STATES = ("pending", "published", "rejected", "merged", "hidden")


class Contribution(SQLModel, table=True):
    """One proposal, whichever channel it came through."""

    __table_args__ = (
        UniqueConstraint("consultation_id", "idempotency_key"),
        # The public list's order (newest published first) and its keyset pages, and the
        # published proposals' counts, read from one index.
        Index("ix_contribution_published_order", "consultation_id", "status", "published_at", "id"),
        # Counts per channel, territory and role read an index, not the rows (migration 0022).
        Index("ix_contribution_published_channel", "consultation_id", "status", "channel"),
        Index("ix_contribution_published_territory", "consultation_id", "status", "territory_id"),
        Index("ix_contribution_published_role", "consultation_id", "status", "participant_role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    title: str = Field(default="", max_length=200)
    text: str
    original_text: str | None = None
    channel: str = Field(default="online", max_length=20, index=True)
    territory_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    live_session_id: int | None = Field(default=None, foreign_key="livesession.id", index=True)
    working_group_id: int | None = Field(default=None, foreign_key="workinggroup.id")
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_name: str | None = Field(default=None, max_length=120)
    author_email: str | None = Field(default=None, max_length=254)
    participant_role: str | None = Field(default=None, max_length=40)
    suggested_objective_id: int | None = Field(default=None, foreign_key="objective.id")
    status: str = Field(default="pending", max_length=20, index=True)
    rejection_reason: str | None = None
    merged_into_id: int | None = Field(default=None, foreign_key="contribution.id")
    highlighted: bool = False
    discussed: bool = False
    tracking_token: str = Field(max_length=64, unique=True, index=True)
    idempotency_key: str | None = Field(default=None, max_length=64)
    provenance: dict[str, Any] = json_field(default_factory=dict)
    consent_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None


class Support(SQLModel, table=True):
    """One support per account, or per anonymous browser token."""

    __table_args__ = (
        UniqueConstraint("contribution_id", "user_id"),
        UniqueConstraint("contribution_id", "browser_token"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(foreign_key="contribution.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    browser_token: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Comment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(foreign_key="contribution.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_name: str | None = Field(default=None, max_length=120)
    text: str
    status: str = Field(default="published", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class AbuseReport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
    comment_id: int | None = Field(default=None, foreign_key="comment.id", index=True)
    reason: str = ""
    reporter_id: int | None = Field(default=None, foreign_key="user.id")
    # Hash of an anonymous reporter's browser token: one report per person, account or not.
    reporter_token: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None
    resolved_by_id: int | None = Field(default=None, foreign_key="user.id")
    resolution: str | None = Field(default=None, max_length=20)
