"""The outbox (one row per recipient and event) and follows (who asked to hear about what)."""

from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import json_field, utcnow

# queued: waits for delivery; sending: claimed by a delivery run; sent; cancelled: unsubscribed;
# digest: waits for the daily digest; digested: went out inside a digest; held: an answer
# published while its consultation's phase keeps answers private, released (to the status in
# its payload's "release_as") once a phase publishing answers runs.
NOTIFICATION_STATES = ("queued", "sending", "sent", "cancelled", "digest", "digested", "held")
FOLLOW_KINDS = ("author", "proposal", "objective", "territory")
FREQUENCIES = ("immediate", "daily")


class Follow(SQLModel, table=True):
    """An address that asked to hear about a proposal (its own, or another), an objective or a
    territory; a follower's is confirmed through a signed link, an author's at submission."""

    __table_args__ = (UniqueConstraint("email", "kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    kind: str = Field(max_length=20)
    target_id: int = Field(index=True)
    frequency: str = Field(default="immediate", max_length=20)
    locale: str = Field(default="it", max_length=10)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    unsubscribed_at: datetime | None = None


class Notification(SQLModel, table=True):
    """One message to one address about one event; the unique key makes a second one a no-op."""

    __table_args__ = (UniqueConstraint("email", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    event_key: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    locale: str = Field(default="it", max_length=10)
    follow_id: int | None = Field(default=None, foreign_key="follow.id", index=True)
    payload: dict[str, Any] = json_field(default_factory=dict)
    status: str = Field(default="queued", max_length=20, index=True)
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    claim: str | None = Field(default=None, max_length=40, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
