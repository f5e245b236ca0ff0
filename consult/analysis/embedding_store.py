"""The EmbeddingCache table behind nlp's caching hook: unchanged text is never embedded twice.

`model` is the encoder's cache key (nlp's `cache_key`: the name, or `lsa@<fingerprint>` for a
corpus-fitted encoder), so vectors of different encoders or fits never mix.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.analysis.models import EmbeddingCache

log = logging.getLogger(__name__)
BATCH = 500
PUT_ATTEMPTS = 3
MEMORY_LIMIT = 20_000  # vectors kept in process (~30 MB at 384 floats)


def _stored(db: Session, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(hashes), BATCH):
        chunk = list(hashes[start : start + BATCH])
        rows = db.exec(
            select(EmbeddingCache).where(
                EmbeddingCache.model == model, col(EmbeddingCache.text_hash).in_(chunk)
            )
        ).all()
        for row in rows:
            found[row.text_hash] = np.frombuffer(row.vector, dtype=np.float32).copy()
    return found


def _stored_hashes(db: Session, model: str, hashes: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), BATCH):
        chunk = list(hashes[start : start + BATCH])
        found.update(
            db.exec(
                select(EmbeddingCache.text_hash).where(
                    EmbeddingCache.model == model, col(EmbeddingCache.text_hash).in_(chunk)
                )
            ).all()
        )
    return found


def _insert(db: Session, model: str, vectors: dict[str, np.ndarray]) -> None:
    existing = _stored_hashes(db, model, list(vectors))
    for text_hash, vector in vectors.items():
        if text_hash in existing:
            continue
        array = np.asarray(vector, dtype=np.float32)
        db.add(
            EmbeddingCache(
                model=model, text_hash=text_hash, dim=array.shape[0], vector=array.tobytes()
            )
        )
    db.flush()


class DatabaseEmbeddingCache:
    """nlp's EmbeddingCache protocol over the database, in transactions of its own (jobs)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among `hashes` for the encoder's cache key `model`."""
        with Session(self._engine) as db:
            return _stored(db, model, hashes)

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store freshly computed vectors in one commit.

        Two workers may embed the same chunk (a retried or stolen one): the loser's commit
        fails on the unique key, and the retry skips the rows the winner stored.
        """
        for attempt in range(PUT_ATTEMPTS):
            try:
                with Session(self._engine) as db:
                    _insert(db, model, vectors)
                    db.commit()
                return
            except IntegrityError:
                if attempt == PUT_ATTEMPTS - 1:
                    raise
                log.info("embedding cache: %d vectors raced another writer", len(vectors))

    def stored_hashes(self, model: str, hashes: Sequence[str]) -> set[str]:
        """Which of `hashes` have a vector, without reading the vectors."""
        with Session(self._engine) as db:
            return _stored_hashes(db, model, hashes)


class SessionEmbeddingCache:
    """The same table inside the caller's transaction (requests commit once, at the end)."""

    def __init__(self, db: Session) -> None:
        self._db = db

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return the stored vectors among `hashes`."""
        return _stored(self._db, model, hashes)

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store vectors in a savepoint: a row another request just wrote is not an error."""
        try:
            with self._db.begin_nested():
                _insert(self._db, model, vectors)
        except IntegrityError:
            log.info("embedding cache: %d vectors were stored concurrently", len(vectors))


class MemoryLayer:
    """A process-wide LRU of vectors in front of another cache: no query per keystroke."""

    _vectors: "OrderedDict[tuple[str, str], np.ndarray]" = OrderedDict()
    _lock = threading.Lock()

    def __init__(self, backing, limit: int = MEMORY_LIMIT) -> None:
        self._backing = backing
        self._limit = limit

    def get_many(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        """Return vectors from memory, then from the backing cache for the rest."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text_hash in hashes:
                vector = self._vectors.get((model, text_hash))
                if vector is not None:
                    self._vectors.move_to_end((model, text_hash))
                    found[text_hash] = vector
        missing = [h for h in hashes if h not in found]
        if missing:
            loaded = self._backing.get_many(model, missing)
            self._remember(model, loaded)
            found.update(loaded)
        return found

    def put_many(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store in memory and in the backing cache."""
        self._remember(model, vectors)
        self._backing.put_many(model, vectors)

    def _remember(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for text_hash, vector in vectors.items():
                self._vectors[(model, text_hash)] = np.asarray(vector, dtype=np.float32)
            while len(self._vectors) > self._limit:
                self._vectors.popitem(last=False)

    @classmethod
    def forget_all(cls) -> None:
        """Empty the process-wide memory (tests)."""
        with cls._lock:
            cls._vectors.clear()
