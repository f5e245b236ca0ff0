"""Near-duplicate search: over embeddings, or lexical without any encoder."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .types import DuplicateMatch

__all__ = ["lexical_duplicates", "near_duplicates"]


def near_duplicates(
    query_vectors: np.ndarray,
    corpus_vectors: np.ndarray,
    *,
    threshold: float,
    top_k: int = 5,
    exclude_self: bool = False,
) -> list[list[DuplicateMatch]]:
    """Return, per query row, up to top_k corpus rows with cosine >= threshold, best first."""
    q = np.asarray(query_vectors, dtype=np.float32)
    c = np.asarray(corpus_vectors, dtype=np.float32)
    if q.ndim == 1:
        q = q[None, :]
    if not len(c):
        return [[] for _ in range(len(q))]
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    c = c / np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-12)
    out = []
    for start in range(0, len(q), 1024):
        sims = q[start:start + 1024] @ c.T
        if exclude_self:
            rows = np.arange(sims.shape[0])
            cols = rows + start
            ok = cols < sims.shape[1]
            sims[rows[ok], cols[ok]] = -np.inf
        out.extend(_top(sims, start, threshold, top_k))
    return out


def _top(sims: np.ndarray, start: int, threshold: float, top_k: int):
    """Yield the thresholded top-k matches of each row of a similarity block."""
    k = min(top_k, sims.shape[1])
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    for r in range(sims.shape[0]):
        idx = part[r][np.argsort(-sims[r, part[r]])]
        yield [
            DuplicateMatch(start + r, int(i), round(float(sims[r, i]), 4))
            for i in idx if sims[r, i] >= threshold
        ]


def lexical_duplicates(
    queries: Sequence[str],
    corpus: Sequence[str],
    *,
    threshold: float = 0.5,
    top_k: int = 5,
) -> list[list[DuplicateMatch]]:
    """Like near_duplicates, on character 3-5-gram TF-IDF: no encoder needed."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not corpus:
        return [[] for _ in queries]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    c = vec.fit_transform(list(corpus))
    q = vec.transform(list(queries))
    out = []
    for start in range(0, q.shape[0], 1024):
        sims = (q[start:start + 1024] @ c.T).toarray()
        out.extend(_top(sims, start, threshold, top_k))
    return out
