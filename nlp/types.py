"""Plain data exchanged with the application: inputs and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

OFF_STRATEGY = "fuori-strategia"
OUTLIER = -1

__all__ = [
    "OFF_STRATEGY",
    "OUTLIER",
    "Assignment",
    "DocAssignment",
    "DuplicateMatch",
    "Explanation",
    "ObjectiveMatch",
    "ObjectiveSpec",
    "Query",
    "RunInfo",
    "Theme",
    "ThemeMatch",
    "ThemeResult",
]


@dataclass(frozen=True)
class ObjectiveSpec:
    """One objective of a strategic framework, as plain data."""

    code: str
    title: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()  # few-shot seeds written by the strategy's authors


@dataclass(frozen=True)
class ObjectiveMatch:
    """An objective suggested for a text or theme, with a confidence in [0, 1]."""

    code: str
    confidence: float


@dataclass
class Theme:
    """One theme found in the corpus."""

    id: int
    label: str
    keywords: list[str]
    size: int
    representative_docs: list[int]
    centroid: np.ndarray
    objectives: list[ObjectiveMatch] = field(default_factory=list)
    # The one objective code this theme belongs to (OFF_STRATEGY for emerging needs,
    # None without a framework); `objectives` then holds just that match.
    objective: str | None = None
    name: str = ""  # surface Italian phrase occurring in >= 2 member texts (== label)
    name_fallback: bool = False  # True when no such phrase existed (central proposal's words)
    coherence: float = 0.0  # mean pairwise centred cosine of members (0 = random pairs)
    intrusion: float = 0.0  # share of members closer to another theme of the same objective
    flagged: bool = False  # coherence test failed: the planner should look at (split) it


@dataclass
class DocAssignment:
    """Themes and objectives of one input document."""

    theme: int
    probabilities: list[tuple[int, float]]
    objectives: list[ObjectiveMatch] = field(default_factory=list)
    # Best objective (always given unless the text is empty/garbage: None), its calibrated
    # confidence, secondary objectives, and whether a planner should confirm it.
    objective: str | None = None
    confidence: float = 0.0
    secondary: list[str] = field(default_factory=list)
    needs_review: bool = False


@dataclass
class RunInfo:
    """Provenance of a fit: what ran, on what, how long."""

    corpus_hash: str
    n_documents: int
    n_unique: int
    encoder: str
    regime: str
    seed: int
    params: dict[str, Any]
    versions: dict[str, str]
    timings: dict[str, float]


@dataclass
class ThemeResult:
    """Themes of a corpus plus per-document assignments."""

    themes: list[Theme]
    documents: list[DocAssignment]
    outlier_share: float
    run: RunInfo

    def theme(self, theme_id: int) -> Theme:
        """Return the theme with this id."""
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def members(self, theme_id: int) -> list[int]:
        """Return indices of documents whose primary theme is theme_id."""
        return [i for i, d in enumerate(self.documents) if d.theme == theme_id]


@dataclass(frozen=True)
class Assignment:
    """Incremental assignment of one new text to current themes and objectives."""

    theme: int
    probability: float
    probabilities: list[tuple[int, float]]
    objectives: list[ObjectiveMatch]
    objective: str | None = None
    confidence: float = 0.0
    needs_review: bool = False


@dataclass(frozen=True)
class ThemeMatch:
    """Identity of a new theme: a previous key (matched) or a fresh key."""

    theme_id: int
    key: str
    matched: bool
    score: float


@dataclass(frozen=True)
class Query:
    """A proposal the review queue asks a planner about, and why."""

    index: int
    score: float  # uncertainty x diversity, higher first
    uncertainty: float
    suggested: str | None
    confidence: float


@dataclass(frozen=True)
class Explanation:
    """Why the classifier suggests an objective for one text."""

    objective: str | None
    confidence: float
    # (text, objective code, cosine, "confirmed" | "seed") nearest first
    neighbours: list[tuple[str, str, float, str]]
    matched_wording: str  # the objective's title/description/keyword closest to the text
    alternatives: list[ObjectiveMatch]


@dataclass(frozen=True)
class DuplicateMatch:
    """A corpus item similar to a query item."""

    query: int
    index: int
    score: float
