"""Shared column helpers for the table families."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC (SQLModel stores aware datetimes)."""
    return datetime.now(UTC)


def json_field(*, default_factory: Any = list, nullable: bool = False) -> Any:
    """Declare a JSON column (lists of keywords, provenance, run parameters)."""
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=nullable))


def created_at_field() -> Any:
    return Field(default_factory=utcnow, nullable=False, index=True)
