"""Stable theme identity across refits: Hungarian matching on centroids and members."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence

import numpy as np

from .types import ThemeMatch, ThemeResult

__all__ = ["PreviousTheme", "match_themes"]

PreviousTheme = tuple[str, np.ndarray, Sequence[Hashable]]


def _jaccard(a: set, b: set) -> float:
    """Return |a ∩ b| / |a ∪ b| (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def _new_key() -> str:
    """Return a fresh theme key."""
    return uuid.uuid4().hex[:12]


def match_themes(
    previous: Sequence[PreviousTheme],
    new: ThemeResult,
    *,
    member_ids: Sequence[Hashable] | None = None,
    threshold: float = 0.5,
    centroid_weight: float = 0.5,
    new_key: Callable[[], str] = _new_key,
) -> list[ThemeMatch]:
    """Give each new theme a previous key (one-to-one) when similar enough, else a new key.

    previous holds (key, centroid, member ids); member_ids maps new document indices to
    the same ids (default: the indices themselves). The score blends centroid cosine and
    Jaccard overlap of members; pairs scoring below threshold are not matched.
    """
    from scipy.optimize import linear_sum_assignment

    ids = list(member_ids) if member_ids is not None else list(range(len(new.documents)))
    if len(ids) != len(new.documents):
        raise ValueError("member_ids must have one id per document of the new result")
    new_members = [{ids[i] for i in new.members(t.id)} for t in new.themes]
    score = np.zeros((len(new.themes), len(previous)))
    for j, (_, centroid, members) in enumerate(previous):
        prev_c = np.asarray(centroid, dtype=np.float32)
        prev_c = prev_c / max(float(np.linalg.norm(prev_c)), 1e-12)
        prev_m = set(members)
        for i, theme in enumerate(new.themes):
            cos = float(theme.centroid @ prev_c) if len(prev_c) == len(theme.centroid) else 0.0
            score[i, j] = centroid_weight * cos + (1 - centroid_weight) * _jaccard(
                new_members[i], prev_m
            )
    out: dict[int, ThemeMatch] = {}
    if len(previous) and len(new.themes):
        rows, cols = linear_sum_assignment(-score)
        for i, j in zip(rows, cols, strict=True):
            if score[i, j] >= threshold:
                tid = new.themes[i].id
                out[tid] = ThemeMatch(tid, previous[j][0], True, round(float(score[i, j]), 4))
    return [out.get(t.id) or ThemeMatch(t.id, new_key(), False, 0.0) for t in new.themes]
