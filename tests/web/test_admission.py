"""Requests take turns for the database: no more at once than the pool has connections, waiting
in order without holding one, and a clear 503 when the wait is too long."""

import threading
import time

from consult import admission


def _slow_route(app, started: threading.Event, release: threading.Event) -> None:
    def slow():
        started.set()
        release.wait(5)
        return "slow"

    app.add_url_rule("/_turns/slow", "turns_slow", slow)
    app.add_url_rule("/_turns/quick", "turns_quick", lambda: "quick")


def test_a_request_waits_for_a_turn_while_the_others_hold_them(app):
    app.config["CONSULT_DB_TURNS"] = 1
    started, release = threading.Event(), threading.Event()
    _slow_route(app, started, release)
    finished = {}

    def get(path: str) -> None:
        response = app.test_client().get(path)
        finished[path] = (time.monotonic(), response.status_code)

    slow = threading.Thread(target=get, args=("/_turns/slow",))
    slow.start()
    assert started.wait(5)
    quick = threading.Thread(target=get, args=("/_turns/quick",))
    quick.start()
    quick.join(0.3)
    assert quick.is_alive()  # waiting for the one turn
    released_at = time.monotonic()
    release.set()
    slow.join(5)
    quick.join(5)
    assert finished["/_turns/slow"][1] == finished["/_turns/quick"][1] == 200
    assert finished["/_turns/quick"][0] >= released_at  # it ran only once the turn came back


def test_a_wait_too_long_answers_503_in_italian_and_gives_nothing_back(app, monkeypatch):
    app.config["CONSULT_DB_TURNS"] = 1
    monkeypatch.setattr(admission, "WAIT_SECONDS", 0.1)
    started, release = threading.Event(), threading.Event()
    _slow_route(app, started, release)
    slow = threading.Thread(target=app.test_client().get, args=("/_turns/slow",))
    slow.start()
    assert started.wait(5)
    refused = app.test_client().get("/_turns/quick")
    release.set()
    slow.join(5)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert "Servizio non disponibile" in refused.get_data(as_text=True)
    assert app.test_client().get("/_turns/quick").status_code == 200  # the turn came back


def test_a_stream_gives_its_turn_back_when_it_starts_streaming(app):
    app.config["CONSULT_DB_TURNS"] = 1

    def stream():
        def body():
            yield "first "
            yield app.test_client().get("/_turns/quick").get_data(as_text=True)

        return app.response_class(body())

    app.add_url_rule("/_turns/stream", "turns_stream", stream)
    app.add_url_rule("/_turns/quick", "turns_quick", lambda: "quick")
    assert app.test_client().get("/_turns/stream").get_data(as_text=True) == "first quick"


def test_the_turns_are_the_pools_connections():
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    assert admission.turns_for(create_engine("sqlite://", poolclass=StaticPool)) is None
    engine = create_engine("sqlite:///unused.db", pool_size=4, max_overflow=6)
    assert admission.turns_for(engine) == 10
