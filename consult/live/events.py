"""Live events between processes: what moderators do reaches projectors and queues at once.

One small interface, `publish(channel, event)` and `subscribe(channel)`, with two brokers:
`InProcessBroker` (one process, a thread-safe queue per subscriber) and `RedisBroker` (pub/sub, so
several gunicorn workers or machines serve the same room). `publish_after_commit` ties an event to
the database transaction that caused it: it is sent only once the change is visible to readers,
and never if the transaction rolls back.
"""

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from sqlalchemy import event
from sqlmodel import Session

PENDING_KEY = "consult.live_events"
SUBSCRIBER_BUFFER = 256


class Subscription(Protocol):
    def get(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None when `timeout` seconds pass without one."""

    def close(self) -> None: ...


class Broker(Protocol):
    def publish(self, channel: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, channel: str) -> Subscription: ...


class _QueueSubscription:
    def __init__(self, broker: "InProcessBroker", channel: str) -> None:
        self._broker, self._channel = broker, channel
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
    """Fan-out inside one process; a slow subscriber loses events rather than blocking others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[_QueueSubscription]] = {}

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for subscription in targets:
            # A full buffer drops the event: the stream re-renders the whole view on the next one.
            with contextlib.suppress(queue.Full):
                subscription.queue.put_nowait(event)

    def subscribe(self, channel: str) -> _QueueSubscription:
        subscription = _QueueSubscription(self, channel)
        with self._lock:
            self._subscribers.setdefault(channel, set()).add(subscription)
        return subscription

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))

    def _remove(self, channel: str, subscription: _QueueSubscription) -> None:
        with self._lock:
            subscribers = self._subscribers.get(channel)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._subscribers[channel]


class _RedisSubscription:
    def __init__(self, client: Any, channel: str) -> None:
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._pubsub.subscribe(channel)

    def get(self, timeout: float) -> dict[str, Any] | None:
        message = self._pubsub.get_message(timeout=timeout)
        if message is None or message.get("type") != "message":
            return None
        return json.loads(message["data"])

    def close(self) -> None:
        self._pubsub.close()


class RedisBroker:
    """Redis pub/sub: every process subscribed to a channel gets every event published on it."""

    def __init__(self, url: str, prefix: str = "consult:live:") -> None:
        import redis

        self._client = redis.Redis.from_url(url, health_check_interval=30)
        self._prefix = prefix

    def publish(self, channel: str, event: dict[str, Any]) -> None:
        self._client.publish(self._prefix + channel, json.dumps(event))

    def subscribe(self, channel: str) -> _RedisSubscription:
        return _RedisSubscription(self._client, self._prefix + channel)


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
