"""Live events between processes: what moderators do reaches projectors and queues at once.

One small interface, `publish(channel, event)` and `subscribe(channel)`, with two brokers:
`InProcessBroker` (one process, a thread-safe queue per subscriber) and `RedisBroker` (pub/sub, so
several gunicorn workers or machines serve the same room). `publish_after_commit` ties an event to
the database transaction that caused it: it is sent only once the change is visible to readers,
and never if the transaction rolls back.
"""

import contextlib
import json
import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, Protocol

from sqlalchemy import event
from sqlmodel import Session

PENDING_KEY = "consult.live_events"
SUBSCRIBER_BUFFER = 256
KEPT_CHANNELS = 4096  # channels whose last event times a process remembers
LISTENER_READY_SECONDS = 2.0
LISTENER_RETRY_SECONDS = 1.0
log = logging.getLogger(__name__)


class Subscription(Protocol):
    def get(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None when `timeout` seconds pass without one."""

    def close(self) -> None: ...


class Broker(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str, ignore: frozenset[str] = frozenset()) -> Subscription: ...

    def last_event_at(self, channel: str, ignore: frozenset[str] = frozenset()) -> float: ...


class _QueueSubscription:
    def __init__(
        self, broker: "InProcessBroker", channel: str, ignore: frozenset[str] = frozenset()
    ) -> None:
        self._broker, self._channel = broker, channel
        self.ignore = ignore  # event types this subscriber never wants (see InProcessBroker)
        self.queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=SUBSCRIBER_BUFFER)

    def get(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while True:
            yield self.queue.get()

    def close(self) -> None:
        self._broker._remove(self._channel, self)


class InProcessBroker:
    """Fan-out inside one process; a slow subscriber loses events rather than blocking others.

    A subscriber names the event types it ignores, and those never reach its queue: a room's
    2,000 phone feeds ignore ballots, and a ballot burst (66 a second) put in each of their
    queues woke every stream twice a second for nothing and took the worker's whole core
    (bench/live_room.py).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_QueueSubscription]] = {}
        # When each channel last had an event of each type (monotonic), the newest last.
        self._last_events: OrderedDict[str, dict[str, float]] = OrderedDict()
        self._forgotten_at = 0.0  # the newest event time among the channels no longer kept

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
            self._note_event(channel, str(kind), time.monotonic())
        for subscription in targets:
            if kind in subscription.ignore:
                continue
            # A full buffer drops the event: the stream re-renders the whole view on the next one.
            with contextlib.suppress(queue.Full):
                subscription.queue.put_nowait(event)

    def subscribe(self, channel: str, ignore: frozenset[str] = frozenset()) -> _QueueSubscription:
        subscription = _QueueSubscription(self, channel, ignore)
        with self._lock:
            self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))

    def last_event_at(self, channel: str, ignore: frozenset[str] = frozenset()) -> float:
        """When `channel` last had an event not in `ignore` (monotonic; 0.0: never).

        A view rendered after this moment is still current, so the streams that need the whole
        view (a phone connecting, a periodic refresh) can share one render instead of each
        reading the database.
        """
        with self._lock:
            times = self._last_events.get(channel)
            if times is None:
                return self._forgotten_at
            return max((at for kind, at in times.items() if kind not in ignore), default=0.0)

    def _note_event(self, channel: str, kind: str, at: float) -> None:
        times = self._last_events.setdefault(channel, {})
        times[kind] = at
        self._last_events.move_to_end(channel)
        while len(self._last_events) > KEPT_CHANNELS:
            _old, old_times = self._last_events.popitem(last=False)
            self._forgotten_at = max(self._forgotten_at, *old_times.values())

    def _remove(self, channel: str, subscription: _QueueSubscription) -> None:
        with self._lock:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[channel]


class RedisBroker:
    """Redis pub/sub: every process subscribed to a channel gets every event published on it.

    A process holds ONE pattern subscription to Redis, whatever the number of open streams, and
    fans each message out to its local subscribers (the in-process broker). A thousand phones on
    a room's feed are a thousand queues in memory, not a thousand Redis connections. While Redis
    is unreachable the listener retries every second; streams meanwhile get no events and fall
    back on their periodic refresh and heartbeats.
    """

    def __init__(self, url: str, prefix: str = "consult:live:") -> None:
        import redis

        self._client = redis.Redis.from_url(url, health_check_interval=30)
        self._prefix = prefix
        self._local = InProcessBroker()
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._listener: threading.Thread | None = None

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._client.publish(self._prefix + channel, json.dumps(event))

    def subscribe(self, channel: str, ignore: frozenset[str] = frozenset()) -> _QueueSubscription:
        subscription = self._local.subscribe(channel, ignore)
        self._start_listener()
        return subscription

    def subscriber_count(self, channel: str) -> int:
        return self._local.subscriber_count(channel)

    def last_event_at(self, channel: str, ignore: frozenset[str] = frozenset()) -> float:
        """When this process last received an event of `channel` not in `ignore`."""
        return self._local.last_event_at(channel, ignore)

    def _start_listener(self) -> None:
        """Start the process's listener once; wait (briefly) until Redis confirmed it, so an
        event published right after the first subscribe is not missed."""
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                self._listening.clear()
                self._listener = threading.Thread(
                    target=self._listen, name="consult-live-events", daemon=True
                )
                self._listener.start()
        self._listening.wait(timeout=LISTENER_READY_SECONDS)

    def _listen(self) -> None:
        import redis

        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=False)
            try:
                pubsub.psubscribe(self._prefix + "*")
                for message in pubsub.listen():
                    self._dispatch(message)
            except redis.RedisError as error:
                self._listening.clear()
                log.warning("live events: Redis subscription lost, retrying: %s", error)
                time.sleep(LISTENER_RETRY_SECONDS)
            finally:
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()

    def _dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") == "psubscribe":
            self._listening.set()
            return
        if message.get("type") != "pmessage":
            return
        channel = message["channel"]
        if isinstance(channel, bytes):
            channel = channel.decode()
        try:
            payload = json.loads(message["data"])
        except ValueError:
            log.warning("live events: dropped a message that is not JSON on %s", channel)
            return
        self._local.publish(channel.removeprefix(self._prefix), payload)


def make_broker(redis_url: str | None) -> Broker:
    """Redis when configured (several workers), else the in-process broker (one worker)."""
    return RedisBroker(redis_url) if redis_url else InProcessBroker()


def publish_after_commit(db: Session, broker: Broker, channel: str, event: dict[str, Any]) -> None:
    """Queue `event` on the session; it is published when the session commits."""
    db.info.setdefault(PENDING_KEY, []).append((broker, channel, event))


@event.listens_for(Session, "after_commit")
def _publish_pending(session: Session) -> None:
    for broker, channel, payload in session.info.pop(PENDING_KEY, []):
        broker.publish(channel, payload)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def session_channel(live_session_id: int) -> str:
    """The channel of one live session (projector, moderation queue)."""
    return f"session:{live_session_id}"
