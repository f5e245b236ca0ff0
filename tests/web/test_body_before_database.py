"""A request's body is read before any hook takes a database connection: a phone whose body
arrives after its headers must not hold one of the pool's connections while it waits."""

import io
from urllib.parse import urlencode

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
