"""Who is in the room: phones that joined a live session recently, by anonymous join token.

Nothing personal is kept: a random token from the phone's cookie and the time it was last seen.
With Redis (several workers) the tokens live in a sorted set per session; else in process.
"""

import threading
import time
from typing import Any, Protocol

ACTIVE_WINDOW_SECONDS = 10 * 60
# Memory bound of the in-process map: more phones than any room holds, per session.
MAX_PHONES_PER_SESSION = 10_000


class Presence(Protocol):
    def seen(self, live_session_id: int, token: str) -> None: ...

    def count(self, live_session_id: int) -> int: ...


class InProcessPresence:
    """Bounded: a session keeps at most `limit` tokens (expired ones go first, then the
    longest unseen), so a flood of fresh tokens cannot grow the process's memory."""

    def __init__(
        self,
        window: float = ACTIVE_WINDOW_SECONDS,
        clock=time.time,
        limit: int = MAX_PHONES_PER_SESSION,
    ) -> None:
        self._window, self._clock, self._limit = window, clock, limit
        self._lock = threading.Lock()
        self._seen: dict[int, dict[str, float]] = {}

    def seen(self, live_session_id: int, token: str) -> None:
        with self._lock:
            tokens = self._seen.setdefault(live_session_id, {})
            if token not in tokens and len(tokens) >= self._limit:
                self._expire(tokens)
                if len(tokens) >= self._limit:
                    del tokens[min(tokens, key=tokens.__getitem__)]
            tokens[token] = self._clock()

    def count(self, live_session_id: int) -> int:
        with self._lock:
            tokens = self._seen.get(live_session_id, {})
            self._expire(tokens)
            if not tokens:
                self._seen.pop(live_session_id, None)
            return len(tokens)

    def _expire(self, tokens: dict[str, float]) -> None:
        cutoff = self._clock() - self._window
        for token in [t for t, at in tokens.items() if at < cutoff]:
            del tokens[token]


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
