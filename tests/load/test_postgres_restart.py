"""PostgreSQL stopped and started again under load: clean 503s meanwhile, nothing half-written.

Runs only when the suite runs on PostgreSQL (TEST_DATABASE_URL), on a private cluster the test
starts itself: the shared server the other tests use is never touched.
"""

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from sqlmodel import select

from consult import create_app
from consult.common.models import AuditLog
from consult.proposals.models import Contribution
from tests.conftest import TEST_DATABASE_URL

from .browser import Browser, Reply, hidden_inputs
from .conftest import load_app_config, serving
from .private_postgres import PrivatePostgres, unavailable_reason

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgres"),
    reason="PostgreSQL restart: runs when TEST_DATABASE_URL is PostgreSQL (SQLite has no server)",
)
WORKERS = 12
OUTAGE_SECONDS = 2.5
HERE = "/c/piemonte-2018"  # the test consultation's pages live under its prefix
FORM = f"{HERE}/proposte/nuova"
API = f"{HERE}/api/v1/contributions"
AFTER_RESTART = "Dopo il riavvio: servono più trasporti serali per gli anziani."


@pytest.fixture
def private_postgres():
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def app(private_postgres, tmp_path):
    """The app on the private cluster, its schema made by the migrations as in production."""
    app = create_app(load_app_config(private_postgres.url, tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    yield app
    app.extensions["consult.engine"].dispose()


@dataclass
class Attempt:
    text: str
    form: Reply | None = None
    post: Reply | None = None


@dataclass
class Load:
    """Browsers sending proposals (and reading the API) in a loop until told to stop."""

    base_url: str
    attempts: list[Attempt]
    api_replies: list[Reply]
    failures: list[str]
    stop: threading.Event

    def run(self, worker: int, numbers) -> None:
        while not self.stop.is_set():
            attempt = Attempt(f"Proposta {next(numbers)} sotto carico: più asili nido aperti.")
            self.attempts.append(attempt)
            try:
                browser = Browser(self.base_url, timeout=30)
                attempt.form = browser.get(FORM)
                if attempt.form.status == 200:
                    attempt.post = browser.post(
                        FORM, {**hidden_inputs(attempt.form.body), **_fields(attempt)}
                    )
                else:
                    time.sleep(0.05)  # down: a person would wait a moment before retrying
                self.api_replies.append(browser.get(API))
            except Exception as error:  # a reset connection or a hung request is a failure
                self.failures.append(f"worker {worker}: {error!r}")


def _fields(attempt: Attempt) -> dict[str, str]:
    return {"text": attempt.text, "territory": "torino", "role": "cittadino", "consent": "y"}


def _succeeded(attempts: list[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.post is not None and a.post.status == 303]


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def assert_clean_outage_answers(base_url: str) -> None:
    """While the database is down: the Italian 503 page, and JSON 503 on the API."""
    page = Browser(base_url).get(FORM)
    assert page.status == 503, page.body[:500]
    assert "Servizio non disponibile in questo momento: riprova" in page.body
    assert page.retry_after == "30" and "Traceback" not in page.body
    api = Browser(base_url).get(API)
    assert (api.status, api.content_type, api.retry_after) == (503, "application/json", "30")
    assert "riprova" in api.body


def test_postgres_restart_under_load_fails_cleanly_and_recovers(
    app, private_postgres, db, consultation
):
    db.close()  # the test's own connection would die with the server: check out a fresh one later
    attempts: list[Attempt] = []
    load_threads = []
    with serving(app) as base_url:
        load = Load(base_url, attempts, [], [], threading.Event())
        numbers = itertools.count()
        for worker in range(WORKERS):
            thread = threading.Thread(target=load.run, args=(worker, numbers), daemon=True)
            thread.start()
            load_threads.append(thread)
        _wait_for(lambda: len(_succeeded(attempts)) >= 40, 60)
        before = len(_succeeded(attempts))

        private_postgres.stop("fast")
        outage_started = len(attempts)
        assert_clean_outage_answers(base_url)
        time.sleep(OUTAGE_SECONDS)
        private_postgres.start()
        restarted = len(attempts)

        _wait_for(lambda: len(_succeeded(attempts[restarted:])) >= 40, 60)
        load.stop.set()
        for thread in load_threads:
            thread.join(timeout=60)
        after = Browser(base_url)
        final = after.post(FORM, {**after.open_form(FORM), **_fields(Attempt(AFTER_RESTART))})

    assert load.failures == []
    assert final.status == 303
    assert before >= 40 and len(_succeeded(attempts[restarted:])) >= 40
    replies = [r for a in attempts for r in (a.form, a.post) if r] + load.api_replies
    assert set(Counter(r.status for r in replies)) <= {200, 303, 503}
    outage_replies = [r for r in replies if r.status == 503]
    assert outage_replies, "the load never met the outage"
    assert all(r.retry_after == "30" and "riprova" in r.body for r in outage_replies)
    assert_nothing_half_written(db, attempts[:outage_started], attempts)


def assert_nothing_half_written(db, before_outage: list[Attempt], attempts: list[Attempt]) -> None:
    """Every answered success is stored once and complete; nothing stored that nobody sent."""
    db.expire_all()
    rows = list(db.exec(select(Contribution).where(Contribution.channel == "online")))
    sent = {a.text for a in attempts} | {AFTER_RESTART}
    texts = Counter(r.text for r in rows)
    assert set(texts) <= sent and max(texts.values()) == 1
    by_text = {r.text: r for r in rows}
    for attempt in _succeeded(attempts):
        stored = by_text[attempt.text]
        assert attempt.post.location.split("/")[-2] == stored.tracking_token
    assert all(a.text in by_text for a in _succeeded(before_outage))
    audited = set(
        db.exec(select(AuditLog.entity_id).where(AuditLog.action == "contribution.submitted"))
    )
    for row in rows:  # the proposal and its audit entry were written in one transaction
        assert str(row.id) in audited and row.status == "published" and row.published_at is not None
        assert row.territory_id is not None and row.consent_at is not None
