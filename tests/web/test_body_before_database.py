"""A request's body is read before any hook takes a database connection: a phone whose body
arrives after its headers must not hold one of the pool's connections while it waits."""

import io
from urllib.parse import urlencode

from flask import g
from sqlalchemy import event


class _WatchedBody(io.BytesIO):
    """The request body; notes how many pooled connections were out each time it is read."""

    def __init__(self, data: bytes, out: list[int], seen: list[int]) -> None:
        super().__init__(data)
        self.out, self.seen = out, seen

    def read(self, *args):
        self.seen.append(self.out[0])
        return super().read(*args)

    def readline(self, *args):
        self.seen.append(self.out[0])
        return super().readline(*args)

    def readinto(self, buffer):
        self.seen.append(self.out[0])
        return super().readinto(buffer)

    def read1(self, *args):
        self.seen.append(self.out[0])
        return super().read1(*args)


def _post_watching_connections(app, client, url: str, form: dict) -> tuple[int, list[int]]:
    engine = app.extensions["consult.engine"]
    out, seen = [0], []

    def checkout(*_args):
        out[0] += 1

    def checkin(*_args):
        out[0] -= 1

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        body = urlencode(form).encode()
        response = client.post(
            url,
            input_stream=_WatchedBody(body, out, seen),
            content_type="application/x-www-form-urlencoded",
            content_length=len(body),
        )
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)
    return response.status_code, seen


def test_a_proposal_form_is_read_before_any_connection_is_taken(app, client, consultation):
    status, seen = _post_watching_connections(
        app,
        client,
        f"/c/{consultation.slug}/proposte/nuova",
        {"text": "Servono più educatori di strada nei quartieri.", "consent": "y"},
    )
    assert status in (200, 303, 422)
    assert seen and set(seen) == {0}, f"connections out while the body was read: {seen}"


def test_an_empty_post_reads_nothing_and_still_gets_its_answer(client, consultation):
    response = client.post(f"/c/{consultation.slug}/proposte/nuova")
    assert response.status_code in (200, 400, 422)


def test_a_view_and_its_rate_limits_start_without_the_hooks_connection(
    app, client, consultation, create_live_session
):
    """The hooks read the consultation (a connection); the view's rate limits may yield under
    gevent, so the connection goes back to the pool before the view starts."""
    live = create_live_session(code="POOL23")
    limited = app.view_functions["live.session_form"]  # flask-limiter's wrapper around it
    at_view = []

    def watched(**kwargs):
        session = g.get("db_session")
        at_view.append(session is not None and session.in_transaction())
        return limited(**kwargs)

    app.view_functions["live.session_form"] = watched
    page = client.get(f"/c/{consultation.slug}/live/{live.code}")
    assert page.status_code == 200
    response = client.post(
        f"/c/{consultation.slug}/live/{live.code}",
        data={"text": "Più servizi di prossimità per le famiglie del territorio."},
    )
    assert response.status_code in (303, 400, 422)
    assert at_view == [False, False], "the hooks' transaction was still open in the view"
