"""Public responses ("hai detto, abbiamo fatto")."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from consult.common.models import utcnow

RESPONSE_STATES = ("in-valutazione", "accolta", "parzialmente-accolta", "non-accolta", "attuata")


class Response(SQLModel, table=True):
    """The region's answer to a theme, an objective or a single proposal."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    theme_stable_key: str | None = Field(default=None, max_length=40, index=True)
    objective_id: int | None = Field(default=None, foreign_key="objective.id", index=True)
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
    status: str = Field(default="in-valutazione", max_length=30)
    text: str
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
