"""A worker killed with SIGKILL mid-run: the run ends failed, the previous themes stay current."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlmodel import Session, SQLModel, select

from consult.analysis import runs as analysis_runs
from consult.analysis.models import AnalysisRun, ContributionTheme, Theme
from consult.common.tokens import new_tracking_token
from consult.db import make_engine
from consult.framework.models import Consultation, Framework
from consult.proposals.models import Contribution
from tests.conftest import TEST_DATABASE_URL
from tests.factories import CORPUS_PLACES, THEME_CORPUS

pytestmark = pytest.mark.slow  # a real worker process is killed mid-fit

# Runs the real job; right after the fit (entering "matching") the process kills itself.
WORKER = textwrap.dedent(
    """
    import os, signal, sys
    from consult import create_app
    from consult.analysis import jobs as analysis_jobs
    from consult.analysis import theme_refit

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    theme_refit.match_previous = die
    app = create_app()
    with app.app_context():
        analysis_jobs.run_analysis(int(sys.argv[1]))
    """
)


def _arrange(engine) -> tuple[int, int, set]:
    with Session(engine, expire_on_commit=False) as db:
        framework = Framework(code="prova", title="Prova")
        db.add(framework)
        db.flush()
        consultation = Consultation(slug="prova", title="Prova", framework_id=framework.id)
        db.add(consultation)
        db.flush()
        contributions = [
            Contribution(
                consultation_id=consultation.id,
                text=template.format(place=place),
                status="published",
                tracking_token=new_tracking_token(),
            )
            for place in CORPUS_PLACES
            for template in THEME_CORPUS
        ]
        db.add_all(contributions)
        previous = AnalysisRun(consultation_id=consultation.id, status="succeeded", is_current=True)
        db.add(previous)
        db.flush()
        theme = Theme(
            consultation_id=consultation.id,
            run_id=previous.id,
            stable_key="t-previous",
            model_topic=0,
            label="Tutto",
            keywords=["tutto"],
            size=len(contributions),
        )
        db.add(theme)
        db.flush()
        db.add_all(
            ContributionTheme(contribution_id=c.id, theme_id=theme.id) for c in contributions
        )
        run = analysis_runs.start(db, consultation, None, stale_after=60, params={})
        db.commit()
        return previous.id, run.id, {c.id for c in contributions}


@pytest.fixture
def shared_database_url(request, tmp_path) -> str:
    """A database the worker process shares with the test: a SQLite file, or PostgreSQL."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        return url
    request.getfixturevalue("app")  # empties the shared PostgreSQL database's tables
    return TEST_DATABASE_URL


def test_sigkilled_worker_leaves_previous_themes(shared_database_url, tmp_path):
    url = shared_database_url
    engine = make_engine(url)
    previous_id, run_id, member_ids = _arrange(engine)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "test",
        "CONSULT_CONSULTATION": "prova",
        "CONSULT_EMBEDDINGS": "lsa",
        "CONSULT_ANALYSIS_EXECUTOR": "inline",
        "CONSULT_ANALYSIS_HEARTBEAT": "1",
        "CONSULT_MODEL_DIR": str(tmp_path / "models"),
    }
    worker = subprocess.run(
        [sys.executable, "-c", WORKER, str(run_id)], env=env, capture_output=True, timeout=240
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]

    with Session(engine) as db:
        run = db.get(AnalysisRun, run_id)
        assert (run.status, run.stage) == ("running", "matching")
        assert analysis_runs.read(db, run_id, stale_after=600).status == "running"
        run = analysis_runs.read(db, run_id, stale_after=0)  # the heartbeat has gone quiet
        assert run.status == "failed" and run.error == analysis_runs.STALE_ERROR
        db.commit()
        current = db.exec(select(AnalysisRun).where(AnalysisRun.is_current)).all()
        assert [r.id for r in current] == [previous_id]
        assert db.exec(select(Theme).where(Theme.run_id == run_id)).all() == []
        kept = db.exec(select(ContributionTheme.contribution_id)).all()
        assert set(kept) == member_ids
    engine.dispose()
