"""With REDIS_URL, analyses run on a real RQ worker that builds its own app from the environment."""

import pytest
from rq import SimpleWorker
from sqlmodel import Session, SQLModel, select

from consult import create_app, jobs
from consult.analysis import jobs as analysis_jobs
from consult.analysis import runs as analysis_runs
from consult.analysis.models import AnalysisRun, Theme
from consult.common.tokens import new_tracking_token
from consult.framework import loader as frameworks
from consult.framework.models import Consultation
from consult.proposals.models import Contribution
from tests.factories import CORPUS_PLACES, THEME_CORPUS
from tests.redis_db import empty_redis

pytestmark = pytest.mark.slow  # a real RQ worker against Redis

REDIS_URL = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_url():
    with empty_redis(REDIS_URL) as url:
        yield url


def test_a_real_rq_worker_runs_the_analysis_from_the_environment(tmp_path, monkeypatch, redis_url):
    database_url = f"sqlite:///{tmp_path / 'rq.sqlite3'}"
    environment = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "rq-test",
        "CONSULT_EMBEDDINGS": "lsa",
        "CONSULT_ANALYSIS_HEARTBEAT": "0",
        "CONSULT_MODEL_DIR": str(tmp_path / "models"),
        "RATELIMIT_ENABLED": "false",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["ANALYSIS_EXECUTOR"] == "rq"
    engine = app.extensions["consult.engine"]
    SQLModel.metadata.create_all(engine)
    with Session(engine) as db:
        frameworks.load(db, frameworks.bundled_path("piemonte-2018"))
        consultation = db.exec(select(Consultation)).one()
        for place in CORPUS_PLACES:
            for template in THEME_CORPUS:
                db.add(
                    Contribution(
                        consultation_id=consultation.id,
                        status="published",
                        text=template.format(place=place),
                        tracking_token=new_tracking_token(),
                    )
                )
        run = analysis_runs.start(db, consultation, None, stale_after=90, params={})
        db.commit()
        run_id = run.id

    analysis_jobs.enqueue(app, run_id)
    queue = jobs.queue(app)
    assert queue.count == 1
    # Outside any app context, as on a worker machine: the job builds its app from the env.
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    with Session(engine) as db:
        run = db.get(AnalysisRun, run_id)
        assert (run.status, run.is_current) == ("succeeded", True)
        assert db.exec(select(Theme).where(Theme.run_id == run_id)).all()
    assert queue.count == 0
    engine.dispose()
