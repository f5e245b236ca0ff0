"""An analysis starts only once the request's transaction commits, and never if it rolls back."""

from functools import partial

import pytest
from sqlalchemy import text
from sqlmodel import Session

from consult import jobs
from consult.db import make_engine


@pytest.fixture
def engine(scratch_database_url):
    """A database on its own connections: a job sees only what was committed."""
    engine = make_engine(scratch_database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE queued_run (id INTEGER PRIMARY KEY)"))
    yield engine
    engine.dispose()


@pytest.fixture
def seen(app, engine):
    """What each job found in the database when it ran (the inline executor runs it at once)."""
    assert app.config["ANALYSIS_EXECUTOR"] == "inline"
    found: list[list[int]] = []

    def job(run_id: int) -> None:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id FROM queued_run")).scalars().all()
        found.append([run_id, *rows])

    return found, job


def _queue_run(session: Session, app, job, run_id: int = 7) -> None:
    session.execute(text("INSERT INTO queued_run (id) VALUES (:id)"), {"id": run_id})
    jobs.on_commit(session, partial(jobs.enqueue, app, job, run_id, name=f"analysis-{run_id}"))


def test_the_job_starts_after_the_commit_and_finds_the_row(app, engine, seen):
    found, job = seen
    with Session(engine) as session:
        _queue_run(session, app, job)
        session.flush()
        assert found == []
        session.commit()
        assert found == [[7, 7]]
        session.commit()
    assert found == [[7, 7]]


def test_a_rolled_back_request_starts_no_job(app, engine, seen):
    found, job = seen
    with Session(engine) as session:
        _queue_run(session, app, job)
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
    assert found == []


def test_a_released_savepoint_is_not_the_commit(app, engine, seen):
    found, job = seen
    with Session(engine) as session:
        _queue_run(session, app, job)
        with session.begin_nested():
            session.execute(text("INSERT INTO queued_run (id) VALUES (8)"))
        assert found == []
        session.commit()
    assert found == [[7, 7, 8]]
