"""Theme analysis runs, the themes they found and the objective mappings."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Column, Field, SQLModel, col

from consult.common.models import json_field, utcnow

RUN_STATES = ("queued", "running", "succeeded", "failed")
THEME_STATES = ("proposed", "accepted", "discarded", "merged")
MAPPING_SOURCES = ("model", "planner")


class AnalysisRun(SQLModel, table=True):
    """One theme fit with its provenance; the current run's themes are what planners see."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    status: str = Field(default="queued", max_length=20, index=True)
    stage: str = Field(default="", max_length=80)
    progress: int = 0
    started_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    heartbeat_at: datetime | None = None
    error: str | None = None
    params: dict[str, Any] = json_field(default_factory=dict)
    corpus_size: int | None = None
    corpus_hash: str | None = Field(default=None, max_length=64)
    versions: dict[str, Any] = json_field(default_factory=dict)
    timings: dict[str, Any] = json_field(default_factory=dict)
    model_path: str | None = Field(default=None, max_length=500)
    is_current: bool = Field(default=False, index=True)


class Theme(SQLModel, table=True):
    """A theme of one run; `stable_key` keeps its identity (and planners' edits) across refits."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    run_id: int = Field(foreign_key="analysisrun.id", index=True)
    stable_key: str = Field(max_length=40, index=True)
    model_topic: int
    label: str = Field(max_length=300)
    custom_label: str | None = Field(default=None, max_length=300)
    keywords: list[str] = json_field()
    size: int = 0
    status: str = Field(default="proposed", max_length=20)
    is_off_strategy: bool = False
    summary: list[dict[str, Any]] = json_field()
    merged_into_id: int | None = Field(default=None, foreign_key="theme.id")

    @property
    def display_label(self) -> str:
        return self.custom_label or self.label


class ContributionTheme(SQLModel, table=True):
    """Membership of a proposal in a theme (several themes per proposal when likely)."""

    __table_args__ = (
        # A theme's representative proposals first, then likeliest: its first few members are
        # read from this index instead of sorting thousands (migration 0023).
        # (Ascending columns: both databases read it backwards for the descending order.)
        Index(
            "ix_contributiontheme_ranked",
            "theme_id",
            "is_representative",
            "probability",
            "contribution_id",
        ),
    )

    contribution_id: int = Field(foreign_key="contribution.id", primary_key=True)
    theme_id: int = Field(foreign_key="theme.id", primary_key=True, index=True)
    probability: float = 0.0
    is_primary: bool = False
    is_representative: bool = False


class ObjectiveMapping(SQLModel, table=True):
    """A suggested or confirmed objective of a theme or a proposal.

    `objective_id` None means fuori-strategia (off-strategy).
    """

    id: int | None = Field(default=None, primary_key=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id", index=True)
    contribution_id: int | None = Field(default=None, foreign_key="contribution.id", index=True)
    objective_id: int | None = Field(default=None, foreign_key="objective.id", index=True)
    confidence: float = 0.0
    source: str = Field(default="model", max_length=20)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
    confirmed_at: datetime | None = None
    run_id: int | None = Field(default=None, foreign_key="analysisrun.id", index=True)


class EmbeddingCache(SQLModel, table=True):
    """Embeddings per model and text hash: unchanged text is never embedded twice."""

    __table_args__ = (UniqueConstraint("model", "text_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    model: str = Field(max_length=120)
    text_hash: str = Field(max_length=64)
    dim: int
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


# A proposal counts for its best objective always, for a secondary one at or above this
# confidence (the default of the one rule in analysis.assignment; OBJECTIVE_THRESHOLD overrides).
DEFAULT_THRESHOLD = 0.35


class ContributionAssignment(SQLModel, table=True):
    """The shared rule's result for one proposal and one objective it counts for, stored.

    One row per objective (rank 0 first); `objective_id` None with source "unmapped" is the one
    row of an unassigned proposal, None otherwise fuori-strategia. `confidence` is that
    objective's best confidence: at threshold t a row counts when `counts_at(t)`.
    Maintained in the proposal's transaction by `analysis.assignment_store`; derived, so it holds
    no foreign key besides the proposal's.
    """

    __tablename__ = "contribution_assignment"
    __table_args__ = (
        Index("ix_contribution_assignment_objective", "objective_id", "contribution_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contribution_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("contribution.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    consultation_id: int = Field(index=True)
    objective_id: int | None = None
    rank: int = 0
    is_primary: bool = True
    source: str = Field(max_length=20)
    confidence: float | None = None
    theme_id: int | None = Field(default=None, index=True)


def counts_at(threshold: float) -> ColumnElement[bool]:
    """The stored rows that count at `threshold`: the first objective always; a secondary at or
    above the threshold, or as confident as the first (the one rule, analysis.assignment)."""
    row = ContributionAssignment
    first = aliased(ContributionAssignment)
    best = (
        sa_select(col(first.confidence))
        .where(col(first.contribution_id) == col(row.contribution_id), col(first.rank) == 0)
        .correlate(row)
        .scalar_subquery()
    )
    confidence = col(row.confidence)
    return or_(col(row.rank) == 0, confidence >= threshold, confidence >= best)
