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
    "ObjectiveMatch",
    "ObjectiveSpec",
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


@dataclass
class DocAssignment:
    """Themes and objectives of one input document."""

    theme: int
    probabilities: list[tuple[int, float]]
    objectives: list[ObjectiveMatch] = field(default_factory=list)


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


@dataclass(frozen=True)
class ThemeMatch:
    """Identity of a new theme: a previous key (matched) or a fresh key."""

    theme_id: int
    key: str
    matched: bool
    score: float


@dataclass(frozen=True)
class DuplicateMatch:
    """A corpus item similar to a query item."""

    query: int
    index: int
    score: float
