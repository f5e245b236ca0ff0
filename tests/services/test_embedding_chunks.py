"""A cold embedding splits what the cache lacks into chunks; a chunk done twice costs nothing,
and one whose worker failed, vanished or stalled is embedded by the caller instead."""

import numpy as np
import pytest

from consult.analysis import embedding_chunks, nlp_runtime
from consult.analysis.embedding_store import DatabaseEmbeddingCache

TEXTS = [
    f"Più posti nei centri diurni per anziani a {town} {i}." for i in range(5) for town in "ABCD"
]


class CountingEncoder:
    """A deterministic encoder that counts the texts it embeds."""

    name = "counting"
    dim = 4

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def encode(self, texts):
        self.embedded += list(texts)
        return np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)


class FakeJob:
    """An RQ job stand-in that always answers the same status."""

    def __init__(self, status: str) -> None:
        self.status = status
        self.cancelled = False
        self.id = status

    def get_status(self, refresh=True):
        return type("Status", (), {"value": self.status})()

    def cancel(self):
        self.cancelled = True


@pytest.fixture
def engine(app):
    return app.extensions["consult.engine"]


def _stored(engine, texts) -> int:
    hashes = [nlp_runtime.text_hash(t) for t in texts]
    return len(DatabaseEmbeddingCache(engine).stored_hashes("counting", hashes))


def test_chunks_split_what_is_missing_and_a_second_pass_costs_nothing(engine):
    encoder = CountingEncoder()
    DatabaseEmbeddingCache(engine).put_many(
        "counting", {nlp_runtime.text_hash(TEXTS[0]): np.ones(4, dtype=np.float32)}
    )
    seen = []
    outcome = embedding_chunks.embed(
        engine, encoder, TEXTS + TEXTS[:3], size=6, progress=lambda d, t: seen.append((d, t))
    )
    assert (outcome.total, outcome.chunks, outcome.here) == (19, 4, 19)
    assert sorted(encoder.embedded) == sorted(TEXTS[1:])
    assert seen[-1] == (19, 19) and _stored(engine, TEXTS) == 20
    again = embedding_chunks.embed(engine, encoder, TEXTS, size=6)
    assert (again.total, again.chunks) == (0, 0) and len(encoder.embedded) == 19


def test_a_chunk_embedded_twice_stores_each_vector_once(engine):
    first, second = CountingEncoder(), CountingEncoder()
    embedding_chunks.embed(engine, first, TEXTS[:6])
    # A second worker that read the cache before the first stored: its rows are skipped.
    from consult.analysis.embedding_work import embed_missing

    embed_missing(engine, second, TEXTS[:8])
    assert second.embedded == TEXTS[6:8] and _stored(engine, TEXTS[:8]) == 8


def test_queued_chunks_are_taken_back_from_the_end_by_a_helping_caller(engine):
    encoder = CountingEncoder()
    submitted: list[FakeJob] = []

    def submit(chunk):
        submitted.append(FakeJob("queued"))
        return submitted[-1]

    outcome = embedding_chunks.embed(engine, encoder, TEXTS, submit=submit, size=5, poll=0)
    assert outcome.here == 20 and all(job.cancelled for job in submitted)
    assert encoder.embedded[:5] == TEXTS[15:]  # the last chunk first: workers start at the front


@pytest.mark.parametrize("status", ["failed", "stopped", "gone"])
def test_a_lost_chunk_is_embedded_by_the_caller(engine, status):
    encoder = CountingEncoder()
    outcome = embedding_chunks.embed(
        engine, encoder, TEXTS, submit=lambda chunk: FakeJob(status), help_here=False, poll=0
    )
    assert outcome.here == 20 and _stored(engine, TEXTS) == 20


def test_a_chunk_whose_worker_died_is_taken_back_after_the_timeout(engine):
    encoder = CountingEncoder()
    outcome = embedding_chunks.embed(
        engine,
        encoder,
        TEXTS,
        submit=lambda chunk: FakeJob("started"),  # started, then nothing ever again
        help_here=False,
        chunk_timeout=0.05,
        poll=0.01,
    )
    assert outcome.here == 20 and _stored(engine, TEXTS) == 20


def test_finished_chunks_count_as_done_without_embedding_here(engine):
    encoder = CountingEncoder()
    seen = []
    outcome = embedding_chunks.embed(
        engine,
        encoder,
        TEXTS,
        submit=lambda chunk: FakeJob("finished"),
        size=5,
        progress=lambda d, t: seen.append(d),
    )
    assert outcome.here == 0 and encoder.embedded == [] and seen[-1] == 20


def test_consult_embed_fills_the_consultations_cache(app, runner, create_contribution):
    app.config["CONSULT_EMBEDDINGS"] = "use"
    for text in TEXTS[:6]:
        create_contribution(text=text)
    first = runner.invoke(args=["embed"])
    assert "6 of 6 texts embedded in 1 chunks" in first.output, first.output
    assert "0 of 6 texts embedded in 0 chunks" in runner.invoke(args=["embed"]).output
