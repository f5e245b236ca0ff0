"""Requests take turns for the database: at most as many at once as the pool has connections.

Under gevent every PostgreSQL query (and every rate-limit check) yields to the other requests.
With 2,000 phones joining a room, hundreds of requests were inside the application at once, each
holding a pooled connection across a dozen yields while the others ran: hold times grew with the
crowd until the pool's 30 s checkout timeout answered 503 (bench/live_room.py, PostgreSQL, 2
workers). A request now waits for its turn before its first query, holding nothing, in arrival
order; the ones admitted are few, so each finishes its queries quickly and hands the connection
on. The turn is taken after the body has been read (a slow client never holds one) and given back
as soon as the view has answered: a live event stream holds none while it streams.
"""

import threading

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import QueuePool

WAIT_SECONDS = 60.0  # then 503, like an exhausted pool


def turns_for(engine: Engine) -> int | None:
    """How many requests may use `engine` at once: its pool's connections (None: no limit)."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):  # in-memory SQLite (one shared connection), NullPool
        return None
    return pool.size() + max(pool._max_overflow, 0)


_setting_up = threading.Lock()


def _turns(app: Flask) -> threading.BoundedSemaphore | None:
    """The app's turns, made at its first request (the engine exists by then)."""
    if "consult.db_turns" not in app.extensions:
        with _setting_up:
            if "consult.db_turns" not in app.extensions:
                count = app.config.get("CONSULT_DB_TURNS") or turns_for(
                    app.extensions["consult.engine"]
                )
                app.extensions["consult.db_turns"] = (
                    threading.BoundedSemaphore(int(count)) if count else None
                )
    return app.extensions["consult.db_turns"]


def take_turn() -> None:
    """Before the first hook that reads the database: wait for a turn (503 after WAIT_SECONDS)."""
    turns = _turns(current_app)
    if turns is None or g.get("_db_turn"):
        return
    if not turns.acquire(timeout=WAIT_SECONDS):
        raise PoolTimeout(f"no database turn within {WAIT_SECONDS:.0f} s")
    g._db_turn = True


def give_back(response=None):
    """Once the view has answered (or the request failed): the next request may start."""
    if g.pop("_db_turn", False):
        current_app.extensions["consult.db_turns"].release()
    return response


def init_app(app: Flask) -> None:
    """Register the hooks that give turns back, before `db.init_app` (after_request hooks run
    in reverse order, so the request's commit comes first). `take_turn` is registered by the
    application factory among the before-request hooks, after the body is read."""
    app.after_request(give_back)
    app.teardown_request(lambda _exc=None: give_back())
