"""The phones' feed on their event streams: the room's part rendered once per burst of events.

Every phone of a room holds a feed stream, and an approval or a support reaches all of them at
once. Rendering the whole feed per phone cost a room of 2,000 phones ~13 s of a core per event
(bench/live_room.py). The room's part (the proposals, their supports, each item's HTML both
with and without this phone's support) is the same for every phone, so it is rendered once per
burst in each process and kept until the next burst; a phone adds its own part: which items it
supports (remembered by its stream, updated by its own support events) and its CSRF token.

A burst is known by its last event: the broker hands the same event object to every
subscriber of the process, so streams that coalesced the same burst share one render.

The streams' payload is built once per burst and per set of supported items, already as
Server-Sent Event bytes, and is the same for every phone with the same supports (most phones of
a room): a stream only writes it. Streamed items carry no CSRF field: a stream exists only where
htmx runs, and htmx sends the page's token in the X-CSRFToken header of every request
(`hx-headers` on the body of base.html); the page's own first render keeps the field for
browsers without JavaScript.
"""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup
from sqlmodel import Session

from consult.live import phones as live_phones
from consult.live import services as live_sessions
from consult.live.phones import FeedItem
from consult.meetings.services import stored_id

# Events after which the feed reads the same: proposals waiting for approval, votes, polls.
QUIET_EVENTS = frozenset({"submitted", "ballot", "poll", "round"})
# Events after which a phone's own supports are read again (a merge moves supports).
RECOUNT_EVENTS = frozenset({"merge"})
TOKEN_MARK = "consult-feed-csrf-token"  # stands for each phone's token in the shared HTML
ITEMS_MARK = "consult-feed-items"  # where the items go in the list's frame
TOKEN_FIELD = f'<input type="hidden" name="csrf_token" value="{TOKEN_MARK}">'
KEPT_FEEDS = 256  # room feeds (room, group, order) a process keeps: closed rooms' renders go
FRESH_SECONDS = 10.0  # a whole-feed render serves the streams that connect or refresh this long
# A phone's own supports are known from its stream's events; a whole-feed refresh reads them
# again from the database at most this often (the safety net for a dropped event).
RECOUNT_SECONDS = 300.0
KEPT_PAYLOADS = 64  # distinct sets of supported items whose stream payload a render keeps


SSE_EVENT = "feed"  # the event name the phone page swaps (sse-swap="feed")
# Items added at the top or the end of the list the phone shows (session.html listens).
SSE_ADDED_TOP, SSE_ADDED_END = "feed-top", "feed-end"


def sse_lines(html: str) -> bytes:
    """`html` as Server-Sent Event data lines, without the CSRF field (see the module's note);
    parts joined this way read back as the HTML with a line break between parts."""
    html = html.replace(TOKEN_FIELD, "").replace(TOKEN_MARK, "")
    return "".join(f"data: {line}\n" for line in (html.splitlines() or [""])).encode()


def compact(html: str) -> str:
    """The HTML on one line, without the templates' indentation: a feed goes to every phone
    of the room at each change, and each line costs its own `data: ` in the stream. Line
    breaks become spaces, as HTML shows them (the feed has no <pre>, <textarea> or pre-line
    text)."""
    return " ".join(stripped for line in html.splitlines() if (stripped := line.strip()))


@dataclass(frozen=True)
class RoomFeed:
    """A room's feed as HTML, before each phone's part is added."""

    feed_enabled: bool
    ids: tuple[int, ...]
    items: tuple[tuple[str, str], ...]  # per item: (HTML not supported, HTML supported)
    empty: str  # what an empty feed shows
    frame: tuple[str, str] = ("", "")  # the list's HTML before and after its items
    sse_items: tuple[tuple[bytes, bytes], ...] = field(init=False)
    sse_empty: bytes = field(init=False)
    sse_frame: tuple[bytes, bytes] = field(init=False)
    _payloads: dict[frozenset[int], bytes] = field(init=False, compare=False, repr=False)
    _since: dict[int, tuple["RoomFeed", Any]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """The same parts as SSE lines in bytes, made once for every phone's stream."""
        items = tuple((sse_lines(off), sse_lines(on)) for off, on in self.items)
        object.__setattr__(self, "sse_items", items)
        empty = f"event: {SSE_EVENT}\n".encode() + sse_lines(self.empty) + b"\n"
        object.__setattr__(self, "sse_empty", empty)
        before = f"event: {SSE_EVENT}\n".encode() + sse_lines(self.frame[0])
        object.__setattr__(self, "sse_frame", (before, sse_lines(self.frame[1]) + b"\n"))
        object.__setattr__(self, "_payloads", {})
        object.__setattr__(self, "_since", {})

    def for_phone(self, supported: set[int], csrf_token: str) -> str:
        """Plain string work, no template: the page's feed for one phone."""
        if not self.ids:
            return self.empty
        chosen = (both[item in supported] for item, both in zip(self.ids, self.items, strict=True))
        html = self.frame[0] + "".join(chosen) + self.frame[1]
        return html.replace(TOKEN_MARK, csrf_token)

    def sse_for_phone(self, supported: set[int]) -> bytes:
        """The same feed as one whole SSE event, ready to write. It runs once per phone of the
        room per event: phones supporting the same items of the feed share one payload."""
        if not self.ids:
            return self.sse_empty
        key = frozenset(supported.intersection(self.ids))
        payload = self._payloads.get(key)
        if payload is None:
            chosen = (
                both[item in key] for item, both in zip(self.ids, self.sse_items, strict=True)
            )
            payload = self.sse_frame[0] + b"".join(chosen) + self.sse_frame[1]
            if len(self._payloads) < KEPT_PAYLOADS:  # a dict write is atomic across threads
                self._payloads[key] = payload
        return payload

    def sse_since(self, previous: "RoomFeed", supported: set[int]) -> bytes | None:
        """Only the items `previous` lacks, as one SSE event, when the feed is `previous` with
        items added at its top or its end and nothing else changed (an approval, most of the
        time): a few hundred bytes to each phone instead of the whole feed. None otherwise,
        and the whole feed is sent."""
        found = self._since.get(id(previous))
        if found is None or found[0] is not previous:
            found = (previous, self._added_since(previous))
            if len(self._since) < KEPT_PAYLOADS:
                self._since[id(previous)] = found
        place = found[1]
        if place is None:
            return None
        event, start, stop = place
        chosen = (self.sse_items[i][self.ids[i] in supported] for i in range(start, stop))
        return f"event: {event}\n".encode() + b"".join(chosen) + b"\n"

    def _added_since(self, previous: "RoomFeed") -> tuple[str, int, int] | None:
        """Where the items added since `previous` are (event name, first, last + 1), if the
        rest of the feed is exactly `previous`."""
        old, count = previous.ids, len(self.ids) - len(previous.ids)
        if not old or count <= 0 or self.frame != previous.frame:
            return None
        if self.ids[count:] == old and self.items[count:] == previous.items:
            return SSE_ADDED_TOP, 0, count
        if self.ids[: len(old)] == old and self.items[: len(old)] == previous.items:
            return SSE_ADDED_END, len(old), len(self.ids)
        return None


def render_room_feed(db: Session, live_id: int, group_id: int, order: str) -> RoomFeed | None:
    """The room's feed, every item in both of its states, with a mark for the CSRF token."""
    live = live_sessions.get_live_session(db, live_id)
    if live is None:
        return None
    if not live.feed_enabled:
        return RoomFeed(False, (), (), "")
    rows = live_phones.room_feed(db, live, group_id=group_id or None, order=order)

    def item(contribution, supports: int, supported: bool) -> str:
        entry = FeedItem(contribution, supports, supported)
        return compact(
            render_template(
                "live/_feed_item.html", live=live, entry=entry, csrf_token=lambda: TOKEN_MARK
            )
        )

    items = tuple((item(c, n, False), item(c, n, True)) for c, n in rows)
    empty = compact(render_template("live/_feed_items.html", live=live, feed=[]))
    before, _mark, after = compact(
        render_template("live/_feed_list.html", items=Markup(ITEMS_MARK))
    ).partition(ITEMS_MARK)
    return RoomFeed(True, tuple(stored_id(c) for c, _n in rows), items, empty, (before, after))


@dataclass(frozen=True)
class _Render:
    burst: Any  # the event whose burst it was rendered for (None: a whole-view render)
    built_at: float  # monotonic, taken before the database was read
    feed: RoomFeed | None


class RoomFeeds:
    """Per process: the last render of each room feed (room, group, order).

    The streams of one burst share its render (known by the burst's last event); a stream that
    needs the whole feed (a phone connecting, a periodic refresh) takes the last render too when
    it was made after the room's last change and less than FRESH_SECONDS ago: 2,000 phones
    joining or refreshing read the database once a few seconds, not 2,000 times.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._renders: dict[tuple[int, int, str], _Render] = {}
        self._building: dict[tuple[int, int, str], threading.Lock] = {}

    def get(
        self, db_factory, key: tuple[int, int, str], burst: Any, changed_at: float = math.inf
    ) -> RoomFeed | None:
        """The render for `burst` (None: the current feed), building it once if needed.

        `changed_at` is when the room last changed (monotonic; inf: unknown, so only the same
        burst shares a render)."""
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one stream renders; the others wait and reuse it
            with self._lock:
                cached = self._renders.get(key)
            if cached is not None and self._usable(cached, burst, changed_at):
                return cached.feed
            built_at = time.monotonic()
            with db_factory() as db:
                feed = render_room_feed(db, *key)
            with self._lock:
                self._renders.pop(key, None)  # re-inserted last: the oldest room is first
                self._renders[key] = _Render(burst, built_at, feed)
                while len(self._renders) > KEPT_FEEDS:
                    oldest = next(iter(self._renders))
                    del self._renders[oldest]
                    self._building.pop(oldest, None)
            return feed

    @staticmethod
    def _usable(cached: _Render, burst: Any, changed_at: float) -> bool:
        if burst is not None and cached.burst is burst:
            return True
        return cached.built_at > changed_at and time.monotonic() - cached.built_at < FRESH_SECONDS


def room_feeds() -> RoomFeeds:
    """The app's renders (per app, so two apps in one process, as in tests, never share)."""
    return current_app.extensions.setdefault("consult.room_feeds", RoomFeeds())


def _unknown_change() -> float:
    return math.inf


class PhoneFeed:
    """One phone's stream of the feed: its own supports, remembered between bursts.

    `changed_at()` tells when the room last changed (the broker's `last_event_at`); without it
    every whole-feed render reads the database."""

    def __init__(
        self,
        live_id: int,
        identity: str | None,
        group_id: int,
        order: str,
        changed_at: Callable[[], float] = _unknown_change,
    ) -> None:
        self.live_id, self.identity = live_id, identity
        self.key = (live_id, group_id, order)
        self.me = live_phones.phone_hash(live_id, identity) if identity else None
        self.changed_at = changed_at
        self.supported: set[int] | None = None
        self.counted_at = 0.0
        self.sent: RoomFeed | None = None  # the feed last sent on the stream
        self.sent_supports: set[int] = set()  # and the phone's supports among its items

    def render(self, db_factory, events: list[dict[str, Any]], csrf_token: str) -> str | None:
        """This phone's feed after `events` ([] = now, in full) as HTML; None when unchanged."""
        feed = self._current(db_factory, events)
        return None if feed is None else feed.for_phone(self._supported(), csrf_token)

    def sse(self, db_factory, events: list[dict[str, Any]]) -> bytes | None:
        """The same as one SSE event for the phone's stream; None when nothing changed. After
        events, only the added items when that is all that changed since the feed it was last
        sent, with the same supports of its own (`RoomFeed.sse_since`)."""
        feed = self._current(db_factory, events)
        if feed is None:
            return None
        supported = self._supported()
        payload = None
        sent = self.sent
        if events and sent is not None and supported.intersection(sent.ids) == self.sent_supports:
            payload = feed.sse_since(sent, supported)
        if payload is None:
            payload = feed.sse_for_phone(supported)
        self.sent, self.sent_supports = feed, supported.intersection(feed.ids)
        return payload

    def _supported(self) -> set[int]:
        assert self.supported is not None
        return self.supported

    def _current(self, db_factory, events: list[dict[str, Any]]) -> RoomFeed | None:
        """The room's feed after `events`, with this phone's supports brought up to date."""
        if events and all(e.get("type") in QUIET_EVENTS for e in events):
            return None
        changed_at = self.changed_at()
        burst = events[-1] if events else None
        feed = room_feeds().get(db_factory, self.key, burst, changed_at)
        if feed is None or not feed.feed_enabled:
            return None
        now = time.monotonic()
        recount = (
            self.supported is None
            or any(e.get("type") in RECOUNT_EVENTS for e in events)
            or (not events and now - self.counted_at >= RECOUNT_SECONDS)
        )
        if recount:
            with db_factory() as db:
                self.supported = live_phones.supported_ids(
                    db, self.live_id, self.identity, list(feed.ids)
                )
            self.counted_at = now
        supported = self._supported()
        for event in events:
            if event.get("type") == "support" and event.get("by") == self.me and self.me:
                supported.add(int(event.get("id") or 0))
        return feed
