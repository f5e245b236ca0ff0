"""Embedding texts into the cache ahead of need: the one step both background jobs share.

The arrival job (`embedding_arrival`) and the chunks of a cold embedding (`embedding_chunks`)
both hand a list of texts here: the ones already in EmbeddingCache are skipped (the table is
unique on encoder and text hash), the rest are embedded a batch at a time and stored, so a
chunk done twice, or by two workers at once, costs a lookup and nothing else.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from consult.analysis import nlp_runtime
from consult.analysis.corpus import document_text
from consult.analysis.embedding_store import DatabaseEmbeddingCache
from consult.analysis.theme_engine import model_texts
from consult.proposals.models import Contribution

BATCH = 64  # texts per encoder call and per commit


def published_texts(engine: Engine, ids: Iterable[int]) -> list[str]:
    """What gets embedded for the still-published proposals among `ids`: the analysis's text
    (title and text, cleaned) and the raw text the similar-proposals search compares (usually
    the same string)."""
    with Session(engine) as db:
        rows = db.exec(
            select(Contribution).where(
                col(Contribution.id).in_(list(ids)), Contribution.status == "published"
            )
        ).all()
    analysed = model_texts([document_text(c) for c in rows])
    return list(dict.fromkeys([*analysed, *(c.text for c in rows)]))


def missing(engine: Engine, key: str, texts: Sequence[str]) -> list[str]:
    """The distinct texts among `texts` with no vector under the encoder's cache `key`."""
    distinct = list(dict.fromkeys(texts))
    hashes = [nlp_runtime.text_hash(t) for t in distinct]
    stored = DatabaseEmbeddingCache(engine).stored_hashes(key, hashes)
    return [t for t, h in zip(distinct, hashes, strict=True) if h not in stored]


def embed_missing(
    engine: Engine,
    encoder: Any,
    texts: Sequence[str],
    *,
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed and store the texts that have no vector yet; return how many were embedded.

    `progress` hears the size of each stored batch.
    """
    key = nlp_runtime.cache_key(encoder)
    cache = DatabaseEmbeddingCache(engine)
    todo = missing(engine, key, texts)
    for start in range(0, len(todo), batch):
        part = todo[start : start + batch]
        vectors = np.asarray(nlp_runtime.encode(encoder, part), dtype=np.float32)
        cache.put_many(key, dict(zip(map(nlp_runtime.text_hash, part), vectors, strict=True)))
        if progress is not None:
            progress(len(part))
    return len(todo)


def consultation_texts(engine: Engine, consultation_id: int) -> list[str]:
    """The texts an analysis of the consultation reads (its published proposals)."""
    with Session(engine) as db:
        rows = db.exec(
            select(Contribution)
            .where(
                Contribution.consultation_id == consultation_id,
                Contribution.status == "published",
            )
            .order_by(col(Contribution.id))
        ).all()
        return [document_text(c) for c in rows]
