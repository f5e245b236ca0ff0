"""Live events reach subscribers once the change is committed, in process and over Redis."""

import threading
import time
import uuid

import pytest
from sqlmodel import Session

from consult.live import events as live_events
from consult.live import presence as live_presence
from consult.live.runtime import _gather


def test_in_process_broker_fans_out_to_every_subscriber_of_the_channel():
    broker = live_events.InProcessBroker()
    first, second = broker.subscribe("session:1"), broker.subscribe("session:1")
    other = broker.subscribe("session:2")
    broker.publish("session:1", {"type": "approve", "ids": [7]})
    assert first.get(timeout=1) == {"type": "approve", "ids": [7]}
    assert second.get(timeout=1) == {"type": "approve", "ids": [7]}
    assert other.get(timeout=0.05) is None
    first.close()
    assert broker.subscriber_count("session:1") == 1


def test_in_process_broker_delivers_across_threads():
    broker = live_events.InProcessBroker()
    subscription = broker.subscribe("room")
    threading.Thread(target=broker.publish, args=("room", {"n": 1})).start()
    assert subscription.get(timeout=2) == {"n": 1}


def test_a_full_subscriber_drops_events_instead_of_blocking_publishers():
    broker = live_events.InProcessBroker()
    subscription = broker.subscribe("room")
    for n in range(live_events.SUBSCRIBER_BUFFER + 10):
        broker.publish("room", {"n": n})
    assert subscription.queue.qsize() == live_events.SUBSCRIBER_BUFFER


def test_a_subscriber_never_receives_the_event_types_it_ignores():
    broker = live_events.InProcessBroker()
    feed = broker.subscribe("room", ignore=frozenset({"ballot"}))
    projector = broker.subscribe("room")
    broker.publish("room", {"type": "ballot"})
    broker.publish("room", {"type": "approve"})
    assert feed.get(timeout=1) == {"type": "approve"}
    assert feed.queue.qsize() == 0
    assert [projector.get(timeout=1), projector.get(timeout=1)] == [
        {"type": "ballot"},
        {"type": "approve"},
    ]


def test_the_broker_tells_when_a_channel_last_changed_leaving_out_ignored_types(monkeypatch):
    broker = live_events.InProcessBroker()
    clock = iter([10.0, 20.0, 30.0])
    monkeypatch.setattr(live_events.time, "monotonic", lambda: next(clock))
    assert broker.last_event_at("room") == 0.0  # never changed
    broker.publish("room", {"type": "approve"})  # at 10
    broker.publish("room", {"type": "ballot"})  # at 20, with nobody subscribed
    assert broker.last_event_at("room") == 20.0
    assert broker.last_event_at("room", frozenset({"ballot"})) == 10.0
    assert broker.last_event_at("elsewhere") == 0.0


def test_a_forgotten_channel_counts_as_changed_when_the_newest_forgotten_event_was(monkeypatch):
    monkeypatch.setattr(live_events, "KEPT_CHANNELS", 2)
    broker = live_events.InProcessBroker()
    clock = iter([1.0, 2.0, 3.0])
    monkeypatch.setattr(live_events.time, "monotonic", lambda: next(clock))
    for channel in ("a", "b", "c"):
        broker.publish(channel, {"type": "approve"})
    assert broker.last_event_at("a") == 1.0  # forgotten: as recent as anything forgotten
    assert broker.last_event_at("never-seen") == 1.0
    assert broker.last_event_at("c") == 3.0


def test_events_are_published_only_after_commit_and_never_after_rollback(app):
    broker = live_events.InProcessBroker()
    subscription = broker.subscribe("room")
    engine = app.extensions["consult.engine"]
    with Session(engine) as session:
        live_events.publish_after_commit(session, broker, "room", {"type": "kept"})
        assert subscription.get(timeout=0.05) is None
        session.commit()
    assert subscription.get(timeout=1) == {"type": "kept"}
    with Session(engine) as session:
        session.connection()
        live_events.publish_after_commit(session, broker, "room", {"type": "dropped"})
        session.rollback()
        session.commit()
    assert subscription.get(timeout=0.1) is None


def _redis_url() -> str:
    return "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(_redis_url(), socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    finally:
        client.close()
    return _redis_url()


def test_redis_broker_carries_events_between_separate_brokers(redis_url):
    channel = f"test:{uuid.uuid4().hex}"
    publisher = live_events.RedisBroker(redis_url)
    subscriber = live_events.RedisBroker(redis_url)
    subscription = subscriber.subscribe(channel)
    try:
        publisher.publish(channel, {"type": "approve", "ids": [3]})
        received = None
        for _ in range(20):
            received = subscription.get(timeout=0.2)
            if received is not None:
                break
        assert received == {"type": "approve", "ids": [3]}
    finally:
        subscription.close()


def test_one_redis_listener_fans_out_to_every_local_subscriber_of_the_channel(redis_url):
    prefix = f"test:{uuid.uuid4().hex}:"
    publisher = live_events.RedisBroker(redis_url, prefix=prefix)
    subscriber = live_events.RedisBroker(redis_url, prefix=prefix)
    room = [subscriber.subscribe("session:1") for _ in range(50)]
    elsewhere = subscriber.subscribe("session:2")
    listeners = [t for t in threading.enumerate() if t is subscriber._listener]
    try:
        publisher.publish("session:1", {"type": "approve", "ids": [7]})
        assert all(s.get(timeout=2) == {"type": "approve", "ids": [7]} for s in room)
        assert elsewhere.get(timeout=0.2) is None
        assert len(listeners) == 1 and subscriber.subscriber_count("session:1") == 50
    finally:
        for subscription in [*room, elsewhere]:
            subscription.close()
    assert subscriber.subscriber_count("session:1") == 0


def test_make_broker_chooses_redis_only_when_configured(redis_url):
    assert isinstance(live_events.make_broker(None), live_events.InProcessBroker)
    assert isinstance(live_events.make_broker(redis_url), live_events.RedisBroker)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_in_process_presence_counts_recent_phones_once_each():
    clock = FakeClock()
    presence = live_presence.InProcessPresence(window=60, clock=clock)
    presence.seen(1, "phone-a")
    presence.seen(1, "phone-a")
    presence.seen(1, "phone-b")
    presence.seen(2, "phone-c")
    assert presence.count(1) == 2
    clock.now += 61
    presence.seen(1, "phone-b")
    assert presence.count(1) == 1


def test_in_process_presence_is_bounded_and_drops_the_longest_unseen_first():
    clock = FakeClock()
    presence = live_presence.InProcessPresence(window=60, clock=clock, limit=3)
    for token in ("a", "b", "c"):
        presence.seen(1, token)
        clock.now += 1
    presence.seen(1, "a")  # seen again: now the most recent
    for flood in range(1000):
        presence.seen(1, f"flood-{flood}")
    assert presence.count(1) == 3
    presence.seen(1, "fresh")
    assert presence.count(1) == 3


def test_redis_presence_counts_recent_phones_once_each(redis_url):
    clock = FakeClock()
    presence = live_presence.RedisPresence(redis_url, window=60, clock=clock)
    session_id = int(uuid.uuid4().int % 1_000_000_000)
    presence.seen(session_id, "phone-a")
    presence.seen(session_id, "phone-a")
    presence.seen(session_id, "phone-b")
    assert presence.count(session_id) == 2
    clock.now += 61
    presence.seen(session_id, "phone-b")
    assert presence.count(session_id) == 1


def test_a_stream_gathers_a_burst_without_holding_back_an_isolated_event():
    """Streams throttle, not debounce: after a quiet spell an event goes out at once with what is
    already queued; within the window of the last burst they wait and gather until it ends."""
    broker = live_events.InProcessBroker()
    subscription = broker.subscribe("room")
    for n in range(3):
        broker.publish("room", {"type": "approva", "n": n})
    started = time.monotonic()
    found = _gather(subscription, until=started - 1.0)  # the last burst was long ago
    assert [e["n"] for e in found] == [0, 1, 2]
    assert time.monotonic() - started < 0.2  # nothing waited for
    timer = threading.Timer(0.2, broker.publish, ("room", {"type": "approva", "n": 3}))
    timer.start()
    started = time.monotonic()
    found = _gather(subscription, until=started + 0.6)  # within the last burst's window
    assert [e["n"] for e in found] == [3]
    assert time.monotonic() - started >= 0.55  # it waited for the window to end
    for n in range(10):
        broker.publish("room", {"type": "approva", "n": n})
    assert len(_gather(subscription, until=0.0, most=4)) == 4  # a render takes a bounded burst
    subscription.close()
