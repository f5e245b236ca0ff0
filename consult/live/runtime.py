"""The live machinery a process shares: the event broker, presence, and the SSE response."""

import os
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session

from consult import db
from consult.common.errors import DATABASE_OUTAGES
from consult.live import events as live_events
from consult.live import presence as live_presence
from consult.live import services as live_sessions
from consult.live.stream_slots import StreamSlots

HEARTBEAT_SECONDS = 15.0
RECONNECT_MILLISECONDS = 2000
STREAM_MAX_SECONDS = 3600.0
# How soon a staff stream notices that its account was deactivated or logged out everywhere.
AUTH_CHECK_SECONDS = 10.0
RETRY_SECONDS = 2.0
BURST_MOST = 500  # events one render takes at most (a stream is never starved of sends)
# A whole room of phones behind one NAT shares an address; past this a stream gets a 429.
STREAMS_PER_ADDRESS = 2500
TOO_MANY_STREAMS_RETRY_SECONDS = 30


def init_app(app: Flask) -> None:
    """One broker and one presence tracker per process: Redis when REDIS_URL is set."""
    app.config.setdefault(
        "LIVE_PHONE_RATE_LIMIT", os.environ.get("CONSULT_LIVE_PHONE_RATE_LIMIT", "20 per minute")
    )
    app.config.setdefault(
        "LIVE_ROOM_RATE_LIMIT", os.environ.get("CONSULT_LIVE_ROOM_RATE_LIMIT", "1200 per minute")
    )
    app.config.setdefault(
        "LIVE_HEARTBEAT_SECONDS",
        float(os.environ.get("CONSULT_LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS)),
    )
    app.config.setdefault(
        "LIVE_STREAMS_PER_ADDRESS",
        int(os.environ.get("CONSULT_LIVE_STREAMS_PER_ADDRESS", STREAMS_PER_ADDRESS)),
    )
    # Supports, ballots and poll answers of one phone (a phone that taps a lot is still fine).
    app.config.setdefault(
        "LIVE_TAP_RATE_LIMIT", os.environ.get("CONSULT_LIVE_TAP_RATE_LIMIT", "120 per minute")
    )
    app.extensions["consult.live_broker"] = live_events.make_broker(app.config.get("REDIS_URL"))
    app.extensions["consult.live_stream_slots"] = StreamSlots(
        app.config["LIVE_STREAMS_PER_ADDRESS"]
    )
    app.extensions["consult.live_presence"] = live_presence.make_presence(
        app.config.get("REDIS_URL")
    )


def broker() -> live_events.Broker:
    return current_app.extensions["consult.live_broker"]


def presence() -> live_presence.Presence:
    return current_app.extensions["consult.live_presence"]


def stream_slots() -> StreamSlots:
    return current_app.extensions["consult.live_stream_slots"]


def too_many_streams() -> Response:
    """429 for an address that already holds its share of open streams."""
    message = _(
        "Troppe connessioni aperte da questo indirizzo: chiudi qualche pagina dal vivo e riprova."
    )
    response = Response(message, status=429, mimetype="text/plain")
    response.headers["Retry-After"] = str(TOO_MANY_STREAMS_RETRY_SECONDS)
    return response


def sse_event(name: str, data: str) -> str:
    """One Server-Sent Event; every line of `data` gets its own `data:` field."""
    lines = "".join(f"data: {line}\n" for line in (data.splitlines() or [""]))
    return f"event: {name}\n{lines}\n"


def _render_or_retry(render: Callable, events: list) -> tuple[str | bytes | None, bool]:
    """Render; while the database is down skip the update (keep the stream) and ask for a retry."""
    try:
        return render(events), False
    except DATABASE_OUTAGES as error:
        current_app.logger.warning("live stream update skipped, database unavailable: %s", error)
        return None, True


def signed_in_check() -> Callable[[], bool]:
    """For a staff stream: whether the current account is still signed in.

    The answer is read from the database at most once per half AUTH_CHECK_SECONDS per account
    and process, however many streams the account holds open (a facilitator's tabs, a wall of
    projectors): each stream asks every AUTH_CHECK_SECONDS, so a revoked account's streams still
    end within 1.5 x AUTH_CHECK_SECONDS. While one stream reads, the others take the last answer.
    """
    user_id, version, engine = current_user.id, current_user.session_version, db.engine()
    answers: dict[tuple[int, int], tuple[float, bool]] = current_app.extensions.setdefault(
        "consult.live_account_checks", {}
    )
    key = (user_id, version)

    def still_allowed() -> bool:
        now = time.monotonic()
        checked, allowed = answers.get(key, (float("-inf"), True))
        if now - checked < AUTH_CHECK_SECONDS / 2:
            return allowed
        answers[key] = (now, allowed)  # the others use this answer while this stream reads
        with Session(engine) as session_db:
            allowed = live_sessions.account_still_signed_in(session_db, user_id, version)
        answers[key] = (time.monotonic(), allowed)
        return allowed

    return still_allowed


def _gather(subscription, until: float, most: int = BURST_MOST) -> list[dict[str, Any]]:
    """The events queued now, and those arriving before `until` (monotonic).

    A throttle, not a debounce: after a quiet spell `until` has passed and the first event goes
    out with what is already queued, at once; within `coalesce` of the stream's last burst it
    waits for the window's end, gathering meanwhile. So a stream renders at most once per
    `coalesce`, and an isolated approval is not held back half a second on every phone."""
    found: list[dict[str, Any]] = []
    while len(found) < most:
        more = subscription.get(timeout=max(0.0, until - time.monotonic()))
        if more is None:
            break
        found.append(more)
    return found


def event_stream(
    channel: str,
    render: Callable[[list[dict[str, Any]]], str | bytes | None],
    *,
    coalesce: float = 0.05,
    refresh_every: float | None = None,
    still_allowed: Callable[[], bool] | None = None,
    ignore: frozenset[str] = frozenset(),
) -> Response:
    """Stream `render(events)` on each burst of events; heartbeats keep proxies from closing it.

    `render([])` gives the current state, sent first (so a reconnecting client catches up) and
    every `refresh_every` seconds. The stream ends after STREAM_MAX_SECONDS; clients reconnect.
    The request's session is committed and closed by `db.py` as soon as the view returns, before
    the first chunk is sent, so a long stream holds no database connection; `render` opens its
    own session when it needs one. `still_allowed`, checked every AUTH_CHECK_SECONDS, ends a
    staff stream once its account is deactivated or logged out everywhere. Events whose type is
    in `ignore` never wake the stream (they change nothing it shows).

    Each client address holds at most LIVE_STREAMS_PER_ADDRESS streams (a 429 past it); the slot
    is given back when the response is closed, which the server does as soon as a write fails
    because the client left (at the latest one heartbeat after it did).
    """
    release = stream_slots().acquire(request.remote_addr or "")
    if release is None:
        return too_many_streams()
    events_broker = broker()
    heartbeat = current_app.config["LIVE_HEARTBEAT_SECONDS"]

    def generate():
        # Subscribed before the first render: no event is missed in between.
        subscription = events_broker.subscribe(channel, ignore)
        try:
            yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
            first, missed = _render_or_retry(render, [])
            if first:
                yield first
            started = last_sent = last_burst = checked = time.monotonic()
            while time.monotonic() - started < STREAM_MAX_SECONDS:
                if still_allowed and time.monotonic() - checked >= AUTH_CHECK_SECONDS:
                    if not still_allowed():
                        return
                    checked = time.monotonic()
                wait = RETRY_SECONDS if missed else min(heartbeat, refresh_every or 1e9)
                event = subscription.get(timeout=wait)
                events = [event] if event is not None else []
                if events:
                    events += _gather(subscription, last_burst + coalesce)
                    last_burst = time.monotonic()
                due = refresh_every is not None and time.monotonic() - last_sent >= refresh_every
                payload = None
                if events or due or missed:  # after a missed update, re-send the whole state
                    payload, missed = _render_or_retry(render, [] if missed else events)
                if payload:
                    last_sent = time.monotonic()
                    yield payload
                else:
                    yield ": keepalive\n\n"
        finally:
            subscription.close()

    response = Response(stream_with_context(generate()), mimetype="text/event-stream")
    response.call_on_close(release)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx must not buffer the stream
    return response
