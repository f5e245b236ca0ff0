"""With REDIS_URL, chunks of a cold embedding and arrivals are RQ jobs that real workers run."""

import threading
import time

import pytest
from redis import Redis
from rq import SimpleWorker

from consult import jobs
from consult.analysis import embedding_work, nlp_runtime, runs
from consult.analysis import jobs as analysis_jobs
from consult.analysis.embedding_store import DatabaseEmbeddingCache
from consult.analysis.models import AnalysisRun
from consult.common.tokens import new_tracking_token
from consult.proposals.models import Contribution
from tests.factories import CORPUS_PLACES, THEME_CORPUS
from tests.redis_db import empty_redis

pytestmark = pytest.mark.slow  # real RQ workers against Redis

REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def rq_app(app):
    with empty_redis(REDIS_URL):
        app.config.update(
            REDIS_URL=REDIS_URL,
            ANALYSIS_EXECUTOR="rq",
            CONSULT_EMBEDDINGS="use",
            EMBED_CHUNK_SIZE=5,
        )
        nlp_runtime.forget_all()
        yield app


def _work(app) -> None:
    """A `consult worker` in burst mode, in this process and this app."""
    queue = jobs.queue(app)
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)


def _stored(app, texts) -> int:
    hashes = [nlp_runtime.text_hash(t) for t in embedding_work.model_texts(texts)]
    engine = app.extensions["consult.engine"]
    return len(DatabaseEmbeddingCache(engine).stored_hashes("use", hashes))


def test_workers_embed_the_chunks_while_the_command_waits(rq_app, create_contribution):
    texts = [f"Servono più corse serali del bus verso l'ospedale, zona {i}." for i in range(18)]
    for text in texts:
        create_contribution(text=text)
    outcome = []
    waiting = threading.Thread(
        target=lambda: outcome.append(analysis_jobs.embed_corpus(rq_app, texts, help_here=False))
    )
    waiting.start()
    queue = jobs.queue(rq_app)
    deadline = time.monotonic() + 30
    while queue.count < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert queue.count == 4  # 18 texts in chunks of 5
    _work(rq_app)
    waiting.join(30)
    assert (outcome[0].total, outcome[0].chunks, outcome[0].here) == (18, 4, 0)
    assert _stored(rq_app, texts) == 18


def test_an_analysis_on_a_lone_worker_embeds_its_own_chunks_and_shows_progress(
    rq_app, db, consultation
):
    texts = [t.format(place=p) for p in CORPUS_PLACES for t in THEME_CORPUS]
    for text in texts:
        db.add(
            Contribution(
                consultation_id=consultation.id,
                text=text,
                status="published",
                tracking_token=new_tracking_token(),
            )
        )
    db.commit()
    run = runs.start(db, consultation, None, stale_after=90, params={})
    db.commit()
    analysis_jobs.enqueue(rq_app, run.id)
    _work(rq_app)  # the analysis enqueues its chunks, and takes them back: nobody else works

    db.expire_all()
    finished = db.get(AnalysisRun, run.id)
    assert finished.status == "succeeded", finished.error
    distinct = len(set(embedding_work.model_texts(texts)))
    assert finished.params["vectors"] == {"done": distinct, "total": distinct}
    assert _stored(rq_app, texts) == distinct
    assert jobs.queue(rq_app).count == 0


def test_a_burst_of_arrivals_queues_one_job(rq_app, create_contribution):
    rq_app.config["EMBED_ON_ARRIVAL"] = True
    texts = [f"Un consultorio aperto anche il sabato a {i} chilometri da casa." for i in range(10)]
    with rq_app.app_context():
        for text in texts:
            create_contribution(text=text)
        assert jobs.queue(rq_app).count == 1
        _work(rq_app)
        assert _stored(rq_app, texts) == 10
        create_contribution(text="Una proposta arrivata dopo il lavoro.")
        assert jobs.queue(rq_app).count == 1  # the flag was freed: a new job waits
    assert Redis.from_url(REDIS_URL).scard("consult:embed-arrivals:ids") == 1


def test_the_chunk_job_ignores_a_corpus_fitted_encoder(rq_app):
    assert analysis_jobs.embed_chunk("lsa", ["Un testo qualsiasi."]) == 0
