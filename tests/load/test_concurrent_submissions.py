"""400 people submitting at once, through the online form and a live session, store 400 rows.

Each client is its own browser (cookies, CSRF token and idempotency key from the form it GETs)
talking to a real threaded server; the database is a WAL SQLite file or PostgreSQL. No timing is
asserted: wall time depends on the machine; only correctness is.
"""

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import col, func, select

from consult.common.models import AuditLog
from consult.framework.models import Territory
from consult.proposals.models import Contribution

from .browser import Browser, Reply

CLIENTS = 400
WORKERS = 64
DOUBLE_SUBMITTERS = 120


def proposal_text(channel: str, index: int) -> str:
    return (
        f"Proposta numero {index} dal canale {channel}: servono più educatori di strada "
        "e centri aperti la sera per i ragazzi del quartiere."
    )


def online_fields(db, index: int) -> dict[str, str]:
    return {
        "text": proposal_text("online", index),
        "territory": "torino",
        "role": "cittadino",
        "consent": "y",
    }


HERE = "/c/piemonte-2018"  # the test consultation's pages live under its prefix


def live_fields(db, index: int) -> dict[str, str]:
    territory_id = db.exec(select(Territory.id).where(Territory.code == "cuneo")).one()
    return {
        "text": proposal_text("live", index),
        "territory": str(territory_id),
        "participant_role": "operatore-sociale",
        "consent": "y",
    }


@pytest.fixture(params=["online", "live"])
def channel(request, db, create_live_session):
    """Where the crowd submits: the online form, or a live session's phone form."""
    if request.param == "online":
        return "online", f"{HERE}/proposte/nuova", online_fields
    live = create_live_session(code="CARICO42", moderation="pre")
    return "live", f"{HERE}/live/{live.code}", live_fields


def run_clients(count: int, task: Callable[[int], list[Reply]]) -> tuple[list[Reply], list[str]]:
    """Run `task(i)` for i in range(count) on a bounded pool; collect replies and failures."""
    replies: list[Reply] = []
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(task, index) for index in range(count)]
        for future in futures:
            try:
                replies.extend(future.result())
            except Exception as error:  # a refused GET, a reset connection, a timeout
                errors.append(repr(error))
    return replies, errors


def stored(db, channel_name: str) -> list[Contribution]:
    db.expire_all()
    return list(db.exec(select(Contribution).where(Contribution.channel == channel_name)))


def test_400_concurrent_submissions_store_exactly_400_rows(base_url, db, channel):
    channel_name, path, fields = channel
    field_values = [fields(db, index) for index in range(CLIENTS)]

    def submit(index: int) -> list[Reply]:
        browser = Browser(base_url)
        hidden = browser.open_form(path)
        return [browser.post(path, {**hidden, **field_values[index]})]

    replies, errors = run_clients(CLIENTS, submit)

    assert errors == []
    assert Counter(r.status for r in replies) == {303: CLIENTS}, [
        r.body[:300] for r in replies if r.status != 303
    ][:3]
    rows = stored(db, channel_name)
    assert len(rows) == CLIENTS
    expected = [proposal_text(channel_name, i) for i in range(CLIENTS)]
    assert sorted(r.text for r in rows) == sorted(expected)
    assert len({r.idempotency_key for r in rows}) == CLIENTS
    assert len({r.tracking_token for r in rows}) == CLIENTS
    if channel_name == "online":  # each author is sent to their own proposal's receipt
        assert {r.location.split("/")[-2] for r in replies} == {r.tracking_token for r in rows}
        audited = db.exec(
            select(func.count()).where(col(AuditLog.action) == "contribution.submitted")
        ).one()
        assert audited == CLIENTS


def post_twice_at_once(browser: Browser, path: str, form: dict[str, str]) -> list[Reply]:
    """Send the same form twice at the same moment, like a double tap on a slow network."""
    barrier = threading.Barrier(2)
    replies: list[Reply | None] = [None, None]
    failures: list[BaseException] = []

    def send(slot: int) -> None:
        try:
            barrier.wait(timeout=30)
            replies[slot] = browser.post(path, form)
        except BaseException as error:
            failures.append(error)

    second = threading.Thread(target=send, args=(1,))
    second.start()
    send(0)
    second.join()
    if failures:
        raise failures[0]
    return [r for r in replies if r is not None]


def test_double_submits_store_one_row_per_idempotency_key(base_url, db, channel):
    channel_name, path, fields = channel
    field_values = [fields(db, index) for index in range(DOUBLE_SUBMITTERS)]

    def submit_twice(index: int) -> list[Reply]:
        browser = Browser(base_url)
        hidden = browser.open_form(path)
        return post_twice_at_once(browser, path, {**hidden, **field_values[index]})

    replies, errors = run_clients(DOUBLE_SUBMITTERS, submit_twice)

    assert errors == []
    assert Counter(r.status for r in replies) == {303: 2 * DOUBLE_SUBMITTERS}, [
        r.body[:300] for r in replies if r.status != 303
    ][:3]
    rows = stored(db, channel_name)
    assert len(rows) == DOUBLE_SUBMITTERS
    assert Counter(r.text for r in rows) == Counter(
        proposal_text(channel_name, i) for i in range(DOUBLE_SUBMITTERS)
    )
    if channel_name == "online":  # both taps land on the one stored proposal's receipt
        pairs = [replies[i : i + 2] for i in range(0, len(replies), 2)]
        assert all(first.location == second.location for first, second in pairs)
        assert {p[0].location.split("/")[-2] for p in pairs} == {r.tracking_token for r in rows}
