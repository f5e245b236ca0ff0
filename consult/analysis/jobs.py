"""The analysis's background jobs: one function per job for every executor (thread, RQ, inline).

`run_analysis` fits themes; `embed_chunk` embeds one chunk of a cold embedding; `embed_arrivals`
embeds the proposals published since it was queued. The rules live in `execution`,
`embedding_chunks` and `embedding_arrival`; this module only binds them to the app.
"""

import time
from collections.abc import Callable, Sequence
from functools import partial

from flask import Flask, current_app, has_app_context
from sqlmodel import Session

from consult import jobs
from consult.analysis import (
    embedding_arrival,
    embedding_chunks,
    embedding_work,
    nlp_runtime,
    theme_engine,
)
from consult.analysis import execution as analysis_job

QUEUE_NAME = jobs.DEFAULT_QUEUE
JOB_TIMEOUT = 3 * 3600


def run_analysis(run_id: int) -> str:
    """Execute one analysis run (the job function of the thread and of RQ) in the app context."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = analysis_job.JobSettings(
        encoder=app.config["CONSULT_EMBEDDINGS"],
        live_encoder=app.config.get("CONSULT_LIVE_EMBEDDINGS", "auto"),
        model_dir=app.config["CONSULT_MODEL_DIR"],
        heartbeat_every=app.config["ANALYSIS_HEARTBEAT_SECONDS"] or None,
    )
    engine = app.extensions["consult.engine"]
    return analysis_job.run(engine, run_id, settings, partial(embed_corpus, app))


def enqueue(app: Flask, run_id: int) -> None:
    """Hand a committed run to the configured executor."""
    jobs.enqueue(
        app,
        run_analysis,
        run_id,
        name=f"analysis-{run_id}",
        timeout=JOB_TIMEOUT,
        queue_name=QUEUE_NAME,
    )


def enqueue_after_commit(session: Session, app: Flask, run_id: int) -> None:
    """Hand a run just added in `session` to the executor once the session commits it."""
    jobs.on_commit(session, partial(enqueue, app, run_id))


# --- cold embedding in chunks ---------------------------------------------------------------


def embed_corpus(
    app: Flask,
    texts: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    *,
    help_here: bool = True,
) -> embedding_chunks.Outcome:
    """Fill the cache with the vectors a theme model needs for `texts`, in chunks.

    With RQ the chunks go to `consult worker` processes (this process helps, on one thread
    like them, unless `help_here` is off); otherwise they run here. Corpus-fitted encoders
    (lsa) skip it: their vectors exist only once the fit has fitted them.
    """
    name = app.config["CONSULT_EMBEDDINGS"]
    encoder = nlp_runtime.job_encoder(name)
    if encoder is None:
        return embedding_chunks.Outcome()
    submit = None
    if app.config["ANALYSIS_EXECUTOR"] == "rq":
        submit = partial(_submit_chunk, app, name)
    else:  # every chunk runs here: on the batch's threads, as the fit's own embedding did
        encoder = theme_engine.build_encoder(name)
    return embedding_chunks.embed(
        app.extensions["consult.engine"],
        encoder,
        theme_engine.model_texts(texts),
        submit=submit,
        help_here=help_here,
        progress=progress,
        size=app.config["EMBED_CHUNK_SIZE"],
    )


def _submit_chunk(app: Flask, encoder_name: str, texts: list[str]):
    return jobs.enqueue(
        app,
        embed_chunk,
        encoder_name,
        texts,
        name="embed-chunk",
        timeout=int(embedding_chunks.CHUNK_TIMEOUT),
        queue_name=QUEUE_NAME,
    )


def embed_chunk(encoder_name: str, texts: list[str]) -> int:
    """The job of one chunk: embed what is still missing, on one thread."""
    encoder = nlp_runtime.job_encoder(encoder_name)
    if encoder is None:
        return 0
    return embedding_work.embed_missing(current_app.extensions["consult.engine"], encoder, texts)


# --- embedding on arrival -------------------------------------------------------------------


def init_app(_app: Flask) -> None:
    """Embed proposals once a commit publishes them (the hook is registered once per process)."""
    embedding_arrival.listen(_published)


def _published(ids: set[int]) -> None:
    if has_app_context():
        schedule_arrivals(current_app._get_current_object(), ids)  # type: ignore[attr-defined]


def schedule_arrivals(app: Flask, ids: set[int]) -> None:
    """Coalesce newly published proposals into one pending job per process or queue."""
    if not app.config["EMBED_ON_ARRIVAL"]:
        return
    executor = app.config["ANALYSIS_EXECUTOR"]
    if executor == "rq":
        redis = jobs.queue(app, QUEUE_NAME).connection
        if embedding_arrival.remember(redis, ids):
            jobs.enqueue(app, embed_arrivals, name="embed-arrivals", queue_name=QUEUE_NAME)
    elif executor == "inline":
        embedding_arrival.embed_published(_engine(app), app.config["CONSULT_EMBEDDINGS"], ids)
    else:
        buffer = app.extensions.setdefault("consult.embed_arrivals", embedding_arrival.Buffer())
        if buffer.add(ids):
            jobs.start_native_thread(_drain, (app, buffer), name="embed-arrivals")


def _drain(app: Flask, buffer: embedding_arrival.Buffer) -> None:
    with app.app_context():
        embedding_arrival.drain(_engine(app), app.config["CONSULT_EMBEDDINGS"], buffer, time.sleep)


def embed_arrivals() -> int:
    """The RQ job: embed every proposal published since the job was queued."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ids = embedding_arrival.take_remembered(jobs.queue(app, QUEUE_NAME).connection)
    return embedding_arrival.embed_published(_engine(app), app.config["CONSULT_EMBEDDINGS"], ids)


def _engine(app: Flask):
    return app.extensions["consult.engine"]
