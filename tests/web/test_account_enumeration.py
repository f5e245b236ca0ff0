"""Registration, password reset and verification-resend never tell whether an address has an
account (finding 5): the same bytes, the same status, the same time; mail goes by the job.

Before: with SMTP a reset took 1,429 ms for an existing account and 13 ms for an unknown one
(the mail was sent inside the request), and registration answered differently for a taken
address.
"""

import re
import smtplib
import time

import pytest

from consult import jobs
from consult.common.models import utcnow

STRONG = "una frase lunga e facile"
FORMS = {
    "/account/registrati": lambda email: {
        "email": email,
        "display_name": "Nome",
        "password": STRONG,
        "privacy": "y",
    },
    "/account/password-dimenticata": lambda email: {"email": email},
    "/account/conferma-email": lambda email: {"email": email},
}
TOKEN = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')
PAGE_TOKEN = re.compile(rb'"X-CSRFToken": "([^"]+)"')


def _answer(app, url: str, email: str):
    """POST the form from a fresh browser, as production does it (CSRF on)."""
    client = app.test_client()
    token = TOKEN.search(client.get(url).get_data()).group(1)
    response = client.post(url, data={**FORMS[url](email), "csrf_token": token.decode()})
    body = response.get_data()
    return response, body.replace(PAGE_TOKEN.search(body).group(1), b"CSRF")


@pytest.mark.parametrize("url", sorted(FORMS))
def test_known_and_unknown_addresses_get_byte_identical_answers(
    csrf_app, create_user, mail_outbox, url
):
    create_user(email="ada@example.org")  # exists, not verified
    known, known_body = _answer(csrf_app, url, "ADA@example.org")
    unknown, unknown_body = _answer(csrf_app, url, "nessuno@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known_body == unknown_body.replace(b"nessuno@example.org", b"ada@example.org")
    assert known.headers.get("Location") is None and unknown.headers.get("Location") is None
    assert sorted(known.headers.keys()) == sorted(unknown.headers.keys())


def test_each_address_gets_the_mail_that_fits_it(client, create_user, mail_outbox):
    create_user(email="ada@example.org")
    create_user(email="bea@example.org", email_verified_at=utcnow())
    for address in ("ada@example.org", "nuovo@example.org"):
        client.post("/account/registrati", data=FORMS["/account/registrati"](address))
    client.post("/account/conferma-email", data={"email": "bea@example.org"})  # verified
    client.post("/account/password-dimenticata", data={"email": "chi@example.org"})  # unknown
    assert [(m["To"], m["Subject"]) for m in mail_outbox] == [
        ("ada@example.org", "Hai già un account"),
        ("nuovo@example.org", "Conferma il tuo indirizzo e-mail"),
    ]


@pytest.mark.parametrize("url", sorted(FORMS))
def test_the_request_queues_the_mail_and_never_talks_smtp(
    app, client, create_user, smtp_server, monkeypatch, url
):
    create_user(email="ada@example.org")
    queued = []
    monkeypatch.setattr(jobs, "enqueue", lambda *args, **kwargs: queued.append((args, kwargs)))
    connections = []
    real_smtp = smtplib.SMTP
    monkeypatch.setattr(
        smtplib, "SMTP", lambda *a, **k: connections.append(a) or real_smtp(*a, **k)
    )
    response = client.post(url, data=FORMS[url]("ada@example.org"))
    assert response.status_code == 200
    assert connections == [] and smtp_server.messages == []
    ((args, kwargs),) = queued
    assert kwargs["queue_name"] == jobs.MAIL_QUEUE
    _app, function, *job_args = args
    with app.app_context():
        function(*job_args)  # what the worker does, later
    assert len(connections) == 1
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["ada@example.org"]


def test_a_slow_mail_server_does_not_slow_the_answer(app, client, create_user, smtp_server):
    """The thread executor of production: the answer never waits for the mail server."""
    app.config["ANALYSIS_EXECUTOR"] = "thread"
    smtp_server.delay = 1.5
    create_user(email="ada@example.org")
    timings = {}
    for address in ("ada@example.org", "nessuno@example.org"):
        start = time.perf_counter()
        client.post("/account/password-dimenticata", data={"email": address})
        timings[address] = time.perf_counter() - start
    assert max(timings.values()) < 1.0, timings
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["ada@example.org"]
