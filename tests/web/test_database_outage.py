"""A database that is down or restarting answers 503 "riprova", never a 500 stack trace."""

import pytest
from sqlalchemy import exc as sa_exc
from sqlmodel import func, select

from consult import db as consult_db
from consult.framework import context
from consult.live import runtime as live_runtime
from consult.proposals.models import Contribution


def outage() -> sa_exc.OperationalError:
    return sa_exc.OperationalError(
        "SELECT 1", {}, Exception("server closed the connection unexpectedly")
    )


@pytest.fixture
def database_down(monkeypatch):
    """Every query of the proposal pages fails as when PostgreSQL is restarting."""

    def fail(*_args, **_kwargs):
        raise outage()

    monkeypatch.setattr(context.consultations, "current", fail)


def test_page_answers_503_in_italian_with_retry_after(client, database_down):
    response = client.get("/proposte/nuova")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    page = response.get_data(as_text=True)
    assert "Servizio non disponibile in questo momento: riprova tra qualche istante." in page
    assert "Traceback" not in page and "OperationalError" not in page


def test_form_post_says_sending_again_is_safe(client, database_down):
    response = client.post("/proposte/nuova", data={"text": "Servono più asili nido."})
    assert response.status_code == 503
    assert "non verrà registrato due volte" in response.get_data(as_text=True)


def test_english_ui_gets_the_message_in_english(client, database_down):
    response = client.get("/proposte/nuova", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "Service unavailable right now: please try again in a moment." in response.get_data(
        as_text=True
    )


def test_api_answers_json_503(client, monkeypatch):
    def fail(*_args, **_kwargs):
        raise outage()

    monkeypatch.setattr(consult_db, "session", fail)
    response = client.get("/api/v1/contributions")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.is_json and response.json["status"] == 503
    assert "riprova" in response.json["error"]


def test_failed_commit_answers_503_and_stores_nothing(app, client, db, consultation, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no test-client re-raise
    client.get("/proposte/nuova")  # the first request's sweep of stale analyses commits too

    def commit_fails(_self):
        raise outage()

    monkeypatch.setattr(consult_db.Session, "commit", commit_fails)
    response = client.post(
        "/proposte/nuova",
        data={
            "text": "Servono più posti negli asili nido comunali.",
            "territory": "torino",
            "role": "cittadino",
            "consent": "y",
            "idempotency_key": "k" * 24,
        },
    )
    monkeypatch.undo()
    assert response.status_code == 503
    assert "riprova" in response.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(Contribution)).one() == 0


def test_other_database_errors_stay_500(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args, **_kwargs):
        raise sa_exc.IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(context.consultations, "current", broken)
    assert client.get("/proposte/nuova").status_code == 500


def test_live_stream_survives_an_outage_and_resends_the_state(app, monkeypatch):
    monkeypatch.setattr(live_runtime, "RETRY_SECONDS", 0.01)
    calls: list[list] = []

    def render(events: list) -> str:
        calls.append(events)
        if len(calls) == 2:  # the first update after the stream opened hits the outage
            raise outage()
        return live_runtime.sse_event("projector", f"state {len(calls)}")

    with app.test_request_context("/live/X/proiettore/eventi"):
        response = live_runtime.event_stream("test-channel", render)
        chunks = response.response
        assert next(chunks).startswith("retry:")
        assert "state 1" in next(chunks)
        live_runtime.broker().publish("test-channel", {"type": "approved", "id": 1})
        assert next(chunks) == ": keepalive\n\n"  # update skipped, stream still open
        assert "state 3" in next(chunks)  # retried with the whole state
        chunks.close()
    assert calls[2] == []
