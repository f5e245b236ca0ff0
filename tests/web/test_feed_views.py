"""Phones' feed streams: the room's feed is rendered once per burst and shared; each phone still
sees its own supports and gets its own CSRF token, exactly as its page shows the feed."""

import re

import pytest
from flask import render_template
from sqlmodel import Session

from consult.live import feed_views
from consult.live import phones as live_phones

TOKENS = {"a": "token-of-phone-a", "b": "token-of-phone-b"}


@pytest.fixture
def room(db, create_live_session, create_contribution):
    live = create_live_session(code="FEED23", feed_enabled=True, supports_enabled=True)
    items = [
        create_contribution(
            text=f"Proposta {n} della sala: più servizi vicino a casa.",
            live_session_id=live.id,
            meeting_id=live.meeting_id,
            channel="live",
            status="published",
        )
        for n in range(3)
    ]
    live_phones.support(db, live, items[1], "phone-a")
    db.commit()
    return live, items


def _factory(app):
    engine = app.extensions["consult.engine"]
    return lambda: Session(engine, expire_on_commit=False)


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def test_two_phones_share_one_render_of_a_burst(app, db, room, monkeypatch):
    live, items = room
    built = []
    real = feed_views.render_room_feed
    monkeypatch.setattr(feed_views, "render_room_feed", lambda *a: built.append(a) or real(*a))
    approval = {"type": "approva", "ids": [items[0].id]}
    with app.test_request_context():
        a = feed_views.PhoneFeed(live.id, "phone-a", 0, "sostegno")
        b = feed_views.PhoneFeed(live.id, "phone-b", 0, "sostegno")
        seen_a = a.render(_factory(app), [approval], TOKENS["a"])
        seen_b = b.render(_factory(app), [approval], TOKENS["b"])
        assert len(built) == 1  # one render of the room for the burst, not one per phone
        assert TOKENS["a"] in seen_a and TOKENS["b"] not in seen_a
        assert TOKENS["b"] in seen_b and feed_views.TOKEN_MARK not in seen_b
        assert seen_a.count("Hai sostenuto questa proposta") == 1
        assert "Hai sostenuto questa proposta" not in seen_b
        a.render(_factory(app), [{"type": "approva", "ids": [items[2].id]}], TOKENS["a"])
        assert len(built) == 2  # a new burst, a new render


def test_a_phone_sees_on_its_stream_what_its_page_shows(app, db, room):
    live, _items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-a", 0, "sostegno")
        streamed = phone.render(_factory(app), [], "the-token")
        page = render_template(
            "live/_feed_items.html",
            live=live,
            feed=live_phones.feed(db, live, "phone-a"),
            csrf_token=lambda: "the-token",
        )
    assert _squash(streamed) == _squash(page)


def test_quiet_events_send_nothing_and_a_phones_own_support_marks_it(app, db, room):
    live, items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-b", 0, "sostegno")
        factory = _factory(app)
        phone.render(factory, [], TOKENS["b"])
        for kind in ("submitted", "ballot", "poll", "round"):
            assert phone.render(factory, [{"type": kind}], TOKENS["b"]) is None
        live_phones.support(db, live, items[0], "phone-b")
        db.commit()
        me = live_phones.phone_hash(live.id, "phone-b")
        other = {"type": "support", "id": items[2].id, "by": "someone-else"}
        mine = {"type": "support", "id": items[0].id, "by": me}
        html = phone.render(factory, [other, mine], TOKENS["b"])
    own = re.search(rf'id="proposta-{items[0].id}".*?</li>', html, re.S).group(0)
    assert "Hai sostenuto questa proposta" in own
    assert html.count("Hai sostenuto questa proposta") == 1


def test_a_process_keeps_the_renders_of_a_bounded_number_of_rooms(app, db, room, monkeypatch):
    live, _items = room
    monkeypatch.setattr(feed_views, "KEPT_FEEDS", 2)
    feeds = feed_views.RoomFeeds()
    with app.test_request_context():
        for order in ("sostegno", "recenti", "altro"):
            feeds.get(_factory(app), (live.id, 0, order), {"type": "approva"})
    assert list(feeds._renders) == [(live.id, 0, "recenti"), (live.id, 0, "altro")]


def test_whole_feed_renders_are_shared_until_the_room_changes(app, db, room, monkeypatch):
    """Phones that connect or refresh read the room once, until an event or FRESH_SECONDS."""
    live, _items = room
    built = []
    real = feed_views.render_room_feed
    monkeypatch.setattr(feed_views, "render_room_feed", lambda *a: built.append(a) or real(*a))
    changed = {"at": 0.0}
    factory = _factory(app)
    with app.test_request_context():
        phones = [
            feed_views.PhoneFeed(live.id, f"phone-{n}", 0, "sostegno", lambda: changed["at"])
            for n in range(3)
        ]
        first = [phone.render(factory, [], f"token-{n}") for n, phone in enumerate(phones)]
        assert len(built) == 1
        assert all(f"token-{n}" in html for n, html in enumerate(first))
        changed["at"] = feed_views.time.monotonic()  # an approval reached the process
        phones[0].render(factory, [], "token-0")
        assert len(built) == 2  # made before the change: read again
        phones[1].render(factory, [], "token-1")
        assert len(built) == 2
        later = feed_views.time.monotonic() + feed_views.FRESH_SECONDS + 1
        monkeypatch.setattr(feed_views.time, "monotonic", lambda: later)
        phones[2].render(factory, [], "token-2")
        assert len(built) == 3  # too old to trust without an event: read again


def test_a_refresh_reads_the_phones_supports_again_only_now_and_then(app, db, room, monkeypatch):
    live, _items = room
    counted = []
    real = feed_views.live_phones.supported_ids
    monkeypatch.setattr(
        feed_views.live_phones, "supported_ids", lambda *a: counted.append(a) or real(*a)
    )
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-a", 0, "sostegno")
        phone.render(_factory(app), [], "t")
        phone.render(_factory(app), [], "t")  # a periodic refresh soon after
        assert len(counted) == 1
        later = feed_views.time.monotonic() + feed_views.RECOUNT_SECONDS
        monkeypatch.setattr(feed_views.time, "monotonic", lambda: later)
        html = phone.render(_factory(app), [], "t")
        assert len(counted) == 2
    assert html.count("Hai sostenuto questa proposta") == 1


def test_a_phones_part_is_added_without_rendering_a_template(app, db, room, monkeypatch):
    live, _items = room
    with app.test_request_context(), _factory(app)() as session:
        feed = feed_views.render_room_feed(session, live.id, 0, "sostegno")
        monkeypatch.setattr(feed_views, "render_template", None)  # would fail if called
        html = feed.for_phone(set(), "the-token")
    assert html.lstrip().startswith('<ul class="list-unstyled live-feed-items">')
    assert html.rstrip().endswith("</ul>") and "the-token" in html


def _read_sse(payload: bytes) -> tuple[str, str]:
    """(event name, data) of one Server-Sent Event, joined as a browser's EventSource does."""
    assert payload.endswith(b"\n\n"), "an event ends with a blank line"
    name, data = "", []
    for line in payload.decode().splitlines():
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data.append(line[len("data: ") :])
    return name, "\n".join(data)


@pytest.mark.parametrize("phone", ["phone-a", "phone-b"])
def test_the_stream_event_reads_back_as_the_phones_feed(app, db, room, phone):
    """The stream's bytes are built from parts formatted once; read as a browser reads them
    they are the same feed, with this phone's supports, as its page shows, less the CSRF field
    (htmx sends the token in a header)."""
    live, items = room
    approval = {"type": "approva", "ids": [items[0].id]}
    with app.test_request_context():
        feed = feed_views.PhoneFeed(live.id, phone, 0, "sostegno")
        payload = feed.sse(_factory(app), [approval])
        page = feed_views.PhoneFeed(live.id, phone, 0, "sostegno").render(
            _factory(app), [], TOKENS["a"]
        )
    assert isinstance(payload, bytes)
    name, data = _read_sse(payload)
    assert name == "feed"
    field = f'<input type="hidden" name="csrf_token" value="{TOKENS["a"]}">'
    assert field in page
    assert _squash(data) == _squash(page.replace(field, ""))
    assert data.count("Hai sostenuto questa proposta") == (phone == "phone-a")
    assert "csrf_token" not in data and feed_views.TOKEN_MARK not in data


def test_phones_with_the_same_supports_share_one_payload(app, db, room):
    live, items = room
    approval = {"type": "approva", "ids": [items[0].id]}
    with app.test_request_context():
        payloads = [
            feed_views.PhoneFeed(live.id, phone, 0, "sostegno").sse(_factory(app), [approval])
            for phone in ("phone-b", "phone-c", "phone-a")
        ]
    assert payloads[0] is payloads[1]  # neither supports anything: the same bytes object
    assert payloads[2] != payloads[0]  # phone-a supports one item


def test_an_empty_feed_streams_its_placeholder(app, db, create_live_session):
    live = create_live_session(code="VUTA23", feed_enabled=True)
    with app.test_request_context():
        payload = feed_views.PhoneFeed(live.id, "phone-a", 0, "recenti").sse(_factory(app), [])
    name, data = _read_sse(payload)
    assert name == "feed" and "Le proposte approvate compariranno qui." in data


def test_quiet_events_send_nothing_on_the_stream(app, db, room):
    live, _items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-a", 0, "sostegno")
        assert phone.sse(_factory(app), [{"type": "submitted", "id": 1}]) is None


def test_each_item_of_the_stream_is_one_data_line_without_indentation(app, db, room):
    """The feed goes to every phone at each change: no indentation, one `data:` per part."""
    live, items = room
    with app.test_request_context():
        feed = feed_views.render_room_feed(db, live.id, 0, "sostegno")
        payload = feed.sse_for_phone(set()).decode()
    lines = payload.splitlines()
    data = [line for line in lines if line.startswith("data:")]
    assert len(data) == len(items) + 2  # the list's opening, one line per item, its closing
    assert all(line.strip() != "data:" and not line.startswith("data:  ") for line in data)
    assert all(f'id="proposta-{item.id}"' in payload for item in items)


def _publish(db, live, create_contribution, text):
    item = create_contribution(
        text=text,
        live_session_id=live.id,
        meeting_id=live.meeting_id,
        channel="live",
        status="published",
    )
    db.commit()
    return item


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li[^>]* id="proposta-(\d+)"', html)]


def test_an_approval_sends_each_phone_only_the_new_item_for_the_top(
    app, db, room, create_contribution
):
    """In the newest-first order an approval adds an item at the top: the stream sends that item
    alone (the page puts it first in the list), and the list then reads as the whole feed."""
    live, _items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-a", 0, "recenti")
        first = phone.sse(_factory(app), [])
        new = _publish(db, live, create_contribution, "Nuova proposta: un pulmino per la spesa.")
        delta = phone.sse(_factory(app), [{"type": "approva", "ids": [new.id]}])
        whole = feed_views.PhoneFeed(live.id, "phone-a", 0, "recenti").sse(_factory(app), [])
    name, data = _read_sse(delta)
    assert name == "feed-top" and _ids(data) == [new.id]
    assert len(delta) < len(first) / 2
    assert _ids(_read_sse(whole)[1]) == [new.id, *_ids(_read_sse(first)[1])]
    assert "csrf_token" not in data and feed_views.TOKEN_MARK not in data


def test_an_item_added_after_every_supported_one_goes_to_the_end(
    app, db, room, create_contribution
):
    live, items = room
    for item in (items[0], items[2]):
        live_phones.support(db, live, item, "phone-b")
    db.commit()
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-b", 0, "sostegno")
        first = phone.sse(_factory(app), [])
        new = _publish(db, live, create_contribution, "Nuova proposta: orari lunghi in biblioteca.")
        delta = phone.sse(_factory(app), [{"type": "approva", "ids": [new.id]}])
    name, data = _read_sse(delta)
    assert name == "feed-end" and _ids(data) == [new.id]
    assert "Hai sostenuto" not in data and len(_ids(_read_sse(first)[1])) == 3


def test_the_whole_feed_is_sent_when_more_than_an_addition_changed(
    app, db, room, create_contribution
):
    live, items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-b", 0, "sostegno")
        phone.sse(_factory(app), [])
        # in the middle: after the supported item, before the older unsupported ones
        new = _publish(db, live, create_contribution, "Nuova proposta: più panchine al parco.")
        middle = phone.sse(_factory(app), [{"type": "approva", "ids": [new.id]}])
        assert _read_sse(middle)[0] == "feed"
        # a support elsewhere changes a count: the whole feed again
        live_phones.support(db, live, items[0], "phone-c")
        db.commit()
        counted = phone.sse(_factory(app), [{"type": "support", "id": items[0].id}])
        assert _read_sse(counted)[0] == "feed"
        # a refresh is always the whole feed
        assert _read_sse(phone.sse(_factory(app), []))[0] == "feed"


def test_a_phone_whose_own_supports_changed_gets_the_whole_feed(app, db, room, create_contribution):
    live, items = room
    with app.test_request_context():
        phone = feed_views.PhoneFeed(live.id, "phone-a", 0, "recenti")
        phone.sse(_factory(app), [])
        phone.supported.add(items[0].id)  # as its own support event would mark it
        new = _publish(db, live, create_contribution, "Nuova proposta: un orto condiviso.")
        again = phone.sse(_factory(app), [{"type": "approva", "ids": [new.id]}])
    assert _read_sse(again)[0] == "feed"
