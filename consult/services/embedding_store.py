"""The EmbeddingCache table behind nlp's caching hook: unchanged text is never embedded twice."""

from collections.abc import Sequence

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ..models import EmbeddingCache

BATCH = 500


class DatabaseEmbeddingCache:
    """nlp's EmbeddingCache protocol over the database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among `hashes` for the encoder's cache key `model`."""
        key = model
        found: dict[str, np.ndarray] = {}
        with Session(self._engine) as db:
            for start in range(0, len(hashes), BATCH):
                chunk = list(hashes[start : start + BATCH])
                rows = db.exec(
                    select(EmbeddingCache).where(
                        EmbeddingCache.model == key, col(EmbeddingCache.text_hash).in_(chunk)
                    )
                ).all()
                for row in rows:
                    found[row.text_hash] = np.frombuffer(row.vector, dtype=np.float32).copy()
        return found

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store freshly computed vectors (one commit; a concurrent duplicate is skipped)."""
        key = model
        with Session(self._engine) as db:
            existing = set(
                db.exec(
                    select(EmbeddingCache.text_hash).where(
                        EmbeddingCache.model == key,
                        col(EmbeddingCache.text_hash).in_(list(vectors)),
                    )
                ).all()
            )
            for text_hash, vector in vectors.items():
                if text_hash in existing:
                    continue
                array = np.asarray(vector, dtype=np.float32)
                db.add(
                    EmbeddingCache(
                        model=key, text_hash=text_hash, dim=array.shape[0], vector=array.tobytes()
                    )
                )
            db.commit()
