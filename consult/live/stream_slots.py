"""How many live event streams one client address may hold open at once.

A stream costs the server little (a greenlet and a queue), but not nothing: without a cap, one
script opening streams in a loop could hold every connection a worker accepts. The cap is per
worker process and large by default: a whole room of phones behind one school or town-hall NAT
shares a single address and must all get their feed.
"""

import threading
from collections.abc import Callable


class StreamSlots:
    """Counts open streams per address; `acquire` refuses past `limit`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._open: dict[str, int] = {}

    def acquire(self, address: str) -> Callable[[], None] | None:
        """A release function for one more stream from `address`, or None when it has `limit`.

        The release function may be called more than once (a response may be closed twice);
        only the first call gives the slot back.
        """
        with self._lock:
            held = self._open.get(address, 0)
            if held >= self.limit:
                return None
            self._open[address] = held + 1
        released = threading.Event()

        def release() -> None:
            if released.is_set():
                return
            released.set()
            with self._lock:
                left = self._open.get(address, 1) - 1
                if left > 0:
                    self._open[address] = left
                else:
                    self._open.pop(address, None)

        return release

    def open_count(self, address: str) -> int:
        with self._lock:
            return self._open.get(address, 0)
