"""Fault and load tests: a real threaded server on 127.0.0.1 over a database shared with the test.

SQLite runs on a temporary FILE database in WAL mode (an in-memory one cannot be shared by the
server's threads); PostgreSQL on TEST_DATABASE_URL, emptied before each test. CSRF protection is
on, as in production; rate limits are OFF (RATELIMIT_ENABLED=False): hundreds of submissions come
from one address, which the per-address limits exist to refuse.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import SQLModel
from werkzeug.serving import WSGIRequestHandler, make_server

from consult import create_app
from tests.conftest import TEST_DATABASE_URL, _empty_all_tables


class QuietHandler(WSGIRequestHandler):
    """Do not log every one of hundreds of requests."""

    def log_request(self, *args, **kwargs) -> None:
        pass


def load_app_config(database_url: str, tmp_path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-secret",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CONSULT_MODEL_DIR": str(tmp_path / "models"),
        "CONSULT_EMBEDDINGS": "lsa",
        "ANALYSIS_EXECUTOR": "inline",
        "ANALYSIS_HEARTBEAT_SECONDS": 0,
    }


@pytest.fixture
def app(shared_engine, tmp_path):
    """Overrides the suite's app: a database the server's threads really share."""
    on_sqlite = shared_engine is None
    url = f"sqlite:///{tmp_path / 'load.sqlite3'}" if on_sqlite else TEST_DATABASE_URL
    app = create_app(load_app_config(url, tmp_path))
    engine = app.extensions["consult.engine"]
    if on_sqlite:
        SQLModel.metadata.create_all(engine)
    else:
        _empty_all_tables(engine)
    yield app
    engine.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` with one thread per request on a free port of 127.0.0.1; yield its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def base_url(app) -> Iterator[str]:
    with serving(app) as url:
        yield url


def pytest_collection_modifyitems(items):
    """Load and fault tests run in `make test`, not in the fast tier."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.slow)
