"""Who is in the room: phones that joined a live session recently, by anonymous join token.

Nothing personal is kept: a random token from the phone's cookie and the time it was last seen.
With Redis (several workers) the tokens live in a sorted set per session; else in process.
"""

import threading
import time
from typing import Any, Protocol

ACTIVE_WINDOW_SECONDS = 10 * 60


class Presence(Protocol):
    def seen(self, live_session_id: int, token: str) -> None: ...

    def count(self, live_session_id: int) -> int: ...


class InProcessPresence:
    def __init__(self, window: float = ACTIVE_WINDOW_SECONDS, clock=time.time) -> None:
        self._window, self._clock = window, clock
        self._lock = threading.Lock()
        self._seen: dict[int, dict[str, float]] = {}

    def seen(self, live_session_id: int, token: str) -> None:
        with self._lock:
            self._seen.setdefault(live_session_id, {})[token] = self._clock()

    def count(self, live_session_id: int) -> int:
        cutoff = self._clock() - self._window
        with self._lock:
            tokens = self._seen.get(live_session_id, {})
            for token in [t for t, at in tokens.items() if at < cutoff]:
                del tokens[token]
            return len(tokens)


class RedisPresence:
    def __init__(self, url: str, window: float = ACTIVE_WINDOW_SECONDS, clock=time.time) -> None:
        import redis

        self._client: Any = redis.Redis.from_url(url)
        self._window, self._clock = window, clock

    def _key(self, live_session_id: int) -> str:
        return f"consult:live:presence:{live_session_id}"

    def seen(self, live_session_id: int, token: str) -> None:
        key = self._key(live_session_id)
        pipe = self._client.pipeline()
        pipe.zadd(key, {token: self._clock()})
        pipe.expire(key, int(self._window * 2))
        pipe.execute()

    def count(self, live_session_id: int) -> int:
        key = self._key(live_session_id)
        self._client.zremrangebyscore(key, "-inf", self._clock() - self._window)
        return int(self._client.zcard(key))


def make_presence(redis_url: str | None) -> Presence:
    return RedisPresence(redis_url) if redis_url else InProcessPresence()
