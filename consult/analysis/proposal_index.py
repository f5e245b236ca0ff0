"""A vector index over every published proposal of a consultation, for "proposte simili".

On PostgreSQL with pgvector the index is the `proposal_vector` table and its HNSW indexes
(analysis/pgvector_index.py), shared by every process and kept honest by the database. Elsewhere
(SQLite, or a PostgreSQL without the extension: `make pgvector` installs it) each process keeps,
per consultation and encoder, the unit vectors of the published proposals in one float32 matrix
(100,000 proposals x 384 dimensions: 154 MB, and an exact search of all of them costs one
matrix-vector product, about 15 ms here; bench/similar_index.py measures both). It catches up on
every search with the proposals published since (their vectors come from the embedding cache; the
ones nobody has embedded yet are embedded a few at a time, the rest wait for the next search), so
it never needs a rebuild. Either index only chooses candidates: the caller re-reads them and
scores them on their current text and status, so a proposal edited or withdrawn since it was
indexed is never shown for what it said before.

At a few million rows per process the matrix stops fitting; there pgvector (or an HNSW library
behind the same `nearest` interface) is the way (docs/scaling.md).
"""

import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import and_
from sqlmodel import Session, col, select

from consult.analysis import nlp_runtime, pgvector_index
from consult.analysis.embedding_store import MemoryLayer, SessionEmbeddingCache
from consult.proposals.models import Contribution

CATCH_UP_ROWS = 5000  # proposals read per query while the index catches up
EMBED_PER_SEARCH = 16  # proposals without a vector embedded per search; the rest wait
WAITING_PER_SEARCH = 500  # waiting proposals looked up again per search
# How often an index looks for proposals it has never seen among the published ones: a
# proposal approved after a newer one was indexed has an id below the catch-up's mark.
RECONCILE_SECONDS = 60.0


@dataclass
class _Vectors:
    """The index of one consultation and encoder; grows by doubling, never copies per row."""

    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    matrix: np.ndarray | None = None
    size: int = 0
    last_id: int = 0  # every published proposal up to this id is indexed or waiting
    waiting: list[int] = field(default_factory=list)  # published, no vector yet
    known: set[int] = field(default_factory=set)  # every id indexed or waiting
    reconciled_at: float = float("-inf")  # monotonic
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        if self.matrix is None:
            self.matrix = np.zeros((max(1024, len(ids)), vectors.shape[1]), dtype=np.float32)
            self.ids = np.zeros(self.matrix.shape[0], dtype=np.int64)
        needed = self.size + len(ids)
        if needed > self.matrix.shape[0]:
            capacity = max(needed, 2 * self.matrix.shape[0])
            grown = np.zeros((capacity, self.matrix.shape[1]), dtype=np.float32)
            grown[: self.size] = self.matrix[: self.size]
            self.matrix = grown
            self.ids = np.concatenate(
                [self.ids[: self.size], np.zeros(capacity - self.size, np.int64)]
            )
        self.matrix[self.size : needed] = vectors
        self.ids[self.size : needed] = ids
        self.size = needed

    def nearest(self, query: np.ndarray, k: int) -> list[int]:
        if self.matrix is None or self.size == 0:
            return []
        scores = self.matrix[: self.size] @ np.asarray(query, dtype=np.float32)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in self.ids[top[np.argsort(-scores[top], kind="stable")]]]


# Per database engine (a new app, as in each test, starts empty), then consultation and encoder.
_indexes: "weakref.WeakKeyDictionary[Any, dict[tuple[int, str], _Vectors]]" = (
    weakref.WeakKeyDictionary()
)
_indexes_lock = threading.Lock()


def _index(db: Session, consultation_id: int, key: str) -> _Vectors:
    with _indexes_lock:
        per_engine = _indexes.setdefault(db.get_bind(), {})
        return per_engine.setdefault((consultation_id, key), _Vectors())


def nearest_published(
    db: Session, *, consultation_id: int, encoder: Any, query: np.ndarray, k: int
) -> list[int]:
    """Ids of the published proposals whose vectors are closest to `query`, best first."""
    key = nlp_runtime.cache_key(encoder)
    if pgvector_index.usable(db):
        return pgvector_index.nearest_published(
            db,
            consultation_id=consultation_id,
            key=key,
            query=query,
            k=k,
            vectors=lambda rows: _vectors(db, rows, key, encoder),
        )
    index = _index(db, consultation_id, key)
    with index.lock:
        published = and_(
            col(Contribution.consultation_id) == consultation_id,
            col(Contribution.status) == "published",
        )
        if index.waiting:  # published before, not embedded then: a few more each search
            retry, index.waiting = (
                index.waiting[:WAITING_PER_SEARCH],
                index.waiting[WAITING_PER_SEARCH:],
            )
            _catch_up(db, index, and_(published, col(Contribution.id).in_(retry)), key, encoder)
        while _catch_up(
            db, index, and_(published, col(Contribution.id) > index.last_id), key, encoder
        ):
            pass  # a new index reads everything at once: the first search pays for it
        if time.monotonic() - index.reconciled_at >= RECONCILE_SECONDS:
            _reconcile(db, index, published, key, encoder)
        return index.nearest(query, k)


def _reconcile(db: Session, index: _Vectors, published: Any, key: str, encoder: Any) -> None:
    """Add the published proposals the index never saw (approved after a newer one was
    indexed, so below its catch-up mark): one query of ids, now and then."""
    index.reconciled_at = time.monotonic()
    ids = db.exec(select(Contribution.id).where(published, col(Contribution.id) <= index.last_id))
    unseen = [int(cid) for cid in ids if cid is not None and cid not in index.known]
    for start in range(0, len(unseen), CATCH_UP_ROWS):
        chunk = unseen[start : start + CATCH_UP_ROWS]
        _catch_up(db, index, and_(published, col(Contribution.id).in_(chunk)), key, encoder)


def fill(db: Session, *, consultation_id: int, encoder: Any) -> int:
    """Index every published proposal now, embedding those nobody has embedded yet (an
    operator's `consult similar fill`, after a bulk import); how many rows pgvector registered.
    Only pgvector keeps anything: each process's in-process index fills at its first search."""
    if not pgvector_index.usable(db):
        return 0
    key = nlp_runtime.cache_key(encoder)
    registered = 0
    while True:
        count = pgvector_index.catch_up(
            db,
            consultation_id,
            key,
            lambda rows: _vectors(db, rows, key, encoder, embed=len(rows)),
            operator=True,
        )
        db.commit()  # the vectors embedded on the way
        registered += count
        if not count and not pgvector_index.waiting_count(db, consultation_id, key):
            return registered


def indexed_count(db: Session, consultation_id: int, encoder: Any) -> int:
    """How many proposals the index holds (tests and the bench)."""
    key = nlp_runtime.cache_key(encoder)
    if pgvector_index.usable(db):
        return pgvector_index.indexed_count(db, consultation_id, key)
    return _index(db, consultation_id, key).size


def forget_all() -> None:
    """Drop every index (tests; a new process starts empty and catches up)."""
    with _indexes_lock:
        _indexes.clear()


def _catch_up(db: Session, index: _Vectors, condition: Any, key: str, encoder: Any) -> bool:
    """Index the proposals matching `condition`; True when a full batch was read (more may
    follow)."""
    rows = _read(db, condition)
    if not rows:
        return False
    found = _vectors(db, rows, key, encoder)
    ready = [cid for cid, _ in rows if cid in found]
    if ready:
        index.add(ready, np.stack([found[cid] for cid in ready]))
    index.waiting += [cid for cid, _ in rows if cid not in found]
    index.known.update(cid for cid, _ in rows)
    index.last_id = max(index.last_id, *(cid for cid, _ in rows))
    return len(rows) == CATCH_UP_ROWS


def _vectors(
    db: Session, rows: list[tuple[int, str]], key: str, encoder: Any, embed: int | None = None
) -> dict[int, np.ndarray]:
    """The vectors of (id, text) rows: from the embedding cache, plus `embed` (by default
    EMBED_PER_SEARCH) of the missing ones embedded now; rows left out wait for a later search."""
    if not rows:
        return {}
    cache = MemoryLayer(SessionEmbeddingCache(db))
    hashes = [nlp_runtime.text_hash(text) for _, text in rows]
    found = cache.get_many(key, list(dict.fromkeys(hashes)))
    missing = list(dict.fromkeys(h for h in hashes if h not in found))
    missing = missing[: EMBED_PER_SEARCH if embed is None else embed]
    if missing:
        text_of = {h: text for h, (_, text) in zip(hashes, rows, strict=True)}
        fresh = nlp_runtime.encode(encoder, [text_of[h] for h in missing])
        new = dict(zip(missing, np.asarray(fresh, dtype=np.float32), strict=True))
        cache.put_many(key, new)
        found.update(new)
    return {cid: found[h] for (cid, _), h in zip(rows, hashes, strict=True) if h in found}


def _read(db: Session, condition: Any) -> list[tuple[int, str]]:
    query = select(Contribution.id, Contribution.text).where(condition)
    found = db.exec(query.order_by(col(Contribution.id)).limit(CATCH_UP_ROWS)).all()
    return [(int(cid), text) for cid, text in found if cid is not None]
