"""Engine and the one session per request, committed in one place."""

import os
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from flask import Flask, current_app, g
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent writers."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    _new_pool_after_fork(engine)
    return engine


def _new_pool_after_fork(engine: Engine) -> None:
    """A forked child (each RQ work horse) opens its own connections instead of reusing the
    parent's pooled ones: two processes on one socket corrupt each other's statements
    (psycopg: 'prepared statement "_pg3_0" already exists')."""
    ref = weakref.ref(engine)

    def after_fork() -> None:
        alive = ref()
        if alive is not None:
            alive.dispose(close=False)  # forget the parent's connections, never close them

    os.register_at_fork(after_in_child=after_fork)


def normalise_url(url: str) -> str:
    """Let operators write postgresql:// URLs; we ship the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Counts over 100,000 proposals read most of the file: map it (shared through the page
    # cache) rather than copy pages through read() into a small private cache.
    cursor.execute("PRAGMA mmap_size=268435456")
    cursor.execute("PRAGMA cache_size=-16384")
    cursor.close()


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    """Open the transaction before a savepoint, which pysqlite would not do by itself.

    pysqlite begins a transaction only before a data-changing statement, so a SAVEPOINT opened
    first became the outermost transaction and its RELEASE committed: a savepoint meant to
    undo one failed insert made everything before it permanent.
    """
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


# Objects that live only in migrations (full-text search tables, their shadow tables and the
# PostgreSQL search index; pgvector's proposal vectors); autogenerate must neither create nor
# drop them.
MIGRATION_ONLY_TABLES = {"contribution_fts", "proposal_vector"}


def include_name_in_autogenerate(name, type_, _parent_names) -> bool:
    """Leave migration-only tables out before they are reflected (pgvector's type is unknown
    to SQLAlchemy's reflection)."""
    return type_ != "table" or name not in MIGRATION_ONLY_TABLES


def include_in_autogenerate(_obj, name, type_, _reflected, _compare_to) -> bool:
    """Leave migration-only objects out of autogenerate's comparison."""
    if type_ not in ("table", "index"):
        return True
    prefixes = ("contribution_fts_", "proposal_vector_")
    return name not in MIGRATION_ONLY_TABLES and not (name or "").startswith(prefixes)


def init_app(app: Flask) -> None:
    app.extensions["consult.engine"] = make_engine(app.config["DATABASE_URL"])

    @app.after_request
    def commit_session(response):
        session = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def close_session(_exc=None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()


class ConnectionReleasingFlask(Flask):
    """Flask that gives the request's database connection back to the pool before the view.

    The hooks before a view read the consultation, the user and so on, and that opened a
    transaction holding one of the pool's connections. The view's rate limits then run, and
    under gevent they yield (flask-limiter's memory storage checks its expiry timer; the Redis
    storage waits for Redis): with hundreds of phones posting, each POST went to the back of
    the worker's queue while holding a connection, 15 of them emptied the pool and the rest
    answered 503 after 30 s (bench/live_room.py). Committing the hooks' transaction here keeps
    their objects (expire_on_commit is off) and the view takes a connection when it queries.
    """

    def dispatch_request(self):  # type: ignore[override]
        release_connection()
        return super().dispatch_request()


def release_connection() -> None:
    """End the request session's transaction so far (committing it), returning its connection;
    the session stays usable and begins a new transaction at its next query."""
    session = g.get("db_session")
    if session is not None and session.in_transaction():
        try:
            session.commit()
        except SQLAlchemyError:
            # Only a way to let go of the connection early: if the database fails here, the
            # request goes on as before and meets the failure (a 503) at its own next query.
            with suppress(SQLAlchemyError):
                session.rollback()


def engine() -> Engine:
    return current_app.extensions["consult.engine"]


def session() -> Session:
    """The request's session; services add and flush, the request commits once."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
    return g.db_session


@contextmanager
def standalone_session(bind: Engine | None = None) -> Iterator[Session]:
    """A session for commands and jobs: commits when the block succeeds, else rolls back."""
    with Session(bind or engine(), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except Exception:
            db.rollback()
            raise
