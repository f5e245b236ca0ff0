"""App-factory fixtures: a fresh app and an empty database for every test.

SQLite in memory by default; set TEST_DATABASE_URL to run the whole suite on PostgreSQL.
"""

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

import consult.models  # noqa: F401  (registers every table)
from consult import create_app
from consult.db import make_engine, normalise_url
from consult.extensions import limiter
from tests.consultation_client import ConsultationClient

pytest_plugins = ["tests.factories"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "sqlite://")


@pytest.fixture(scope="session")
def shared_engine():
    """PostgreSQL keeps one schema for the run and is emptied between tests."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield None
        return
    engine = make_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)
    yield engine
    SQLModel.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def app(request, shared_engine, tmp_path) -> Iterator[Flask]:
    """A fresh app; tests marked `rate_limited` get the production rate limits."""
    rate_limited = request.node.get_closest_marker("rate_limited") is not None
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": TEST_DATABASE_URL,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": rate_limited,
            "RATELIMIT_STORAGE_URI": "memory://",
            "CONSULT_MODEL_DIR": str(tmp_path / "models"),
            "SERVER_NAME": "localhost",
            # Theme analyses: the fast corpus-fitted encoder, run inline, no heartbeat thread.
            "CONSULT_EMBEDDINGS": "lsa",
            "ANALYSIS_EXECUTOR": "inline",
            "ANALYSIS_HEARTBEAT_SECONDS": 0,
            # Embedding on arrival has its own tests; elsewhere it would only add encoder calls.
            "EMBED_ON_ARRIVAL": False,
        }
    )
    app.test_client_class = ConsultationClient
    engine = app.extensions["consult.engine"]
    if shared_engine is None:
        SQLModel.metadata.create_all(engine)
    else:
        _empty_all_tables(engine)
    yield app
    if rate_limited:
        limiter.reset()
    engine.dispose()


def _empty_all_tables(engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def scratch_database_url(tmp_path) -> Iterator[str]:
    """A database nobody else uses: a temporary file, or a scratch PostgreSQL database."""
    if TEST_DATABASE_URL.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    name = f"consult_scratch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """A session outside any request, for arranging data and checking what was stored."""
    with Session(app.extensions["consult.engine"], expire_on_commit=False) as session:
        yield session


@pytest.fixture
def csrf_app(app: Flask) -> Flask:
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, email: str, password: str = "secret-password"):
        return self._client.post("/account/accedi", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/account/esci")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
