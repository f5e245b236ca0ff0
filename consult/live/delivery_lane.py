"""Room-wide stream updates yield to pages: under gevent they take turns when the loop is idle.

An approval wakes every phone's feed stream of the room at once, and a gevent worker ran all
2,000 of them before the next page request got the processor: a phone's submission that came in
then waited for the whole fan-out (bench/live_room.py: submit p95 several seconds while the
worker had spare time between approvals). Here each woken stream waits for its turn, one at a
time, and then for the event loop to have nothing else to do (`gevent.idle`), so the requests
whose sockets are ready run first and the fan-out fills the gaps between them. The stream
writes after its turn, so a phone on a slow network never holds the lane.

Without gevent's monkey-patching (the threaded development server, tests) it does nothing:
threads are preempted, so a fan-out never monopolises the processor.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_lane: Any = None
_lane_guard = threading.Lock()


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency of `make serve`
        return False
    return bool(monkey.is_module_patched("threading"))


def _gevent_lane() -> Any:
    global _lane
    with _lane_guard:
        if _lane is None:
            from gevent.lock import Semaphore

            _lane = Semaphore(1)
        return _lane


@contextmanager
def background_turn() -> Iterator[None]:
    """Run the body as low-priority work: after the pages that are ready to run."""
    if not _under_gevent():
        yield
        return
    import gevent

    with _gevent_lane():
        gevent.idle()
        yield
