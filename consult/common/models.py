"""Column helpers every table family uses, and the audit log every feature writes."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (SQLModel stores aware datetimes)."""
    return datetime.now(UTC)


def json_field(*, default_factory: Any = list, nullable: bool = False) -> Any:
    """Declare a JSON column (lists of keywords, provenance, run parameters)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable))


def created_at_field() -> Any:
    return Field(default_factory=utcnow, nullable=False, index=True)


class AuditLog(SQLModel, table=True):
    """Who changed what, when, with the state before and after."""

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    action: str = Field(max_length=80)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(max_length=40)
    before: dict[str, Any] | None = json_field(default_factory=dict, nullable=True)
    after: dict[str, Any] | None = json_field(default_factory=dict, nullable=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
