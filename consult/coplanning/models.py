"""The strategy as a document: versions of sections, the inputs on them, and their provenance."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import created_at_field

# A draft is edited by planners; once published (in consultation, approved, then superseded by
# the next one) a version's sections never change.
VERSION_STATES = ("bozza", "in-consultazione", "approvata", "superata")
AMENDMENT_STATES = ("in-valutazione", "accolto", "accolto-con-modifiche", "non-accolto")


class StrategyVersion(SQLModel, table=True):
    """One numbered version of a consultation's strategy."""

    __tablename__ = "strategy_version"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    number: int
    status: str = Field(default="bozza", max_length=20)
    note: str = ""  # what this version changed, in the planner's words
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()
    published_at: datetime | None = None


class StrategySection(SQLModel, table=True):
    """A section of a version; `key` names the same section across versions."""

    __tablename__ = "strategy_section"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="strategy_version.id", index=True)
    key: str = Field(max_length=80)
    position: int = 0
    title: str = Field(max_length=300)
    body: str = ""  # Markdown, sanitised when shown


class Amendment(SQLModel, table=True):
    """A participant's replacement text for a section, and the planner's decision on it."""

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="strategy_section.id", index=True)
    text: str
    author_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    author_name: str = Field(default="", max_length=120)
    author_email: str = Field(default="", max_length=254)
    tracking_token: str = Field(max_length=64, unique=True, index=True)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)  # a retry
    status: str = Field(default="in-valutazione", max_length=30)
    decision_reason: str = ""
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    created_at: datetime = created_at_field()


class MeetingComment(SQLModel, table=True):
    """What a territorial meeting said about a section, recorded by its facilitator."""

    __tablename__ = "strategy_meeting_comment"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="strategy_section.id", index=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    text: str
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = created_at_field()


class SectionInput(SQLModel, table=True):
    """One input a section of a later version took up: exactly one of the three ids is set."""

    __tablename__ = "strategy_section_input"

    id: int | None = Field(default=None, primary_key=True)
    section_id: int = Field(foreign_key="strategy_section.id", index=True)
    amendment_id: int | None = Field(default=None, foreign_key="amendment.id", index=True)
    meeting_comment_id: int | None = Field(
        default=None, foreign_key="strategy_meeting_comment.id", index=True
    )
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
