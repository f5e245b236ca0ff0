"""gunicorn.conf.py chooses the worker processes `make serve` runs, and caps them on SQLite."""

import logging
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/consult"


def load_conf(monkeypatch, **environ):
    for name in ("WORKERS", "REDIS_URL", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


@pytest.mark.parametrize(
    ("environ", "workers"),
    [
        ({}, 1),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, 1),  # the embedded SQLite default
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": "sqlite:///x.db"}, 1),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0", "DATABASE_URL": POSTGRES}, 2),
        ({"DATABASE_URL": POSTGRES}, 1),
        ({"DATABASE_URL": POSTGRES, "WORKERS": "4"}, 4),
        ({"DATABASE_URL": POSTGRES, "WORKERS": ""}, 1),  # `make serve` passes an empty WORKERS
        ({"WORKERS": "3"}, 1),
    ],
)
def test_the_default_workers_follow_the_database_and_redis(monkeypatch, environ, workers):
    assert load_conf(monkeypatch, **environ)["workers"] == workers


class Arbiter:
    """The two things gunicorn's arbiter gives the on_starting hook that the hook uses."""

    def __init__(self, num_workers: int):
        self.num_workers = num_workers
        self.log = logging.getLogger("test.gunicorn")


def test_an_explicit_second_worker_on_sqlite_is_capped_with_a_warning(monkeypatch, caplog):
    conf = load_conf(monkeypatch, DATABASE_URL="sqlite:///x.db")
    arbiter = Arbiter(num_workers=2)  # as from `gunicorn --workers 2`
    with caplog.at_level(logging.WARNING, logger="test.gunicorn"):
        conf["on_starting"](arbiter)
    assert arbiter.num_workers == 1
    assert "SQLite serves one gevent worker" in caplog.text


def test_workers_on_postgresql_are_left_as_asked(monkeypatch, caplog):
    conf = load_conf(monkeypatch, DATABASE_URL=POSTGRES)
    arbiter = Arbiter(num_workers=3)
    conf["on_starting"](arbiter)
    assert arbiter.num_workers == 3
    assert not caplog.text
