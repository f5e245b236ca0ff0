"""Under gevent a room-wide fan-out of stream updates lets a ready page request run first."""

import subprocess
import sys

from consult.config import ROOT

FAN_OUT = """
import sys
from gevent import monkey
monkey.patch_all()
import contextlib, socket, time
import gevent
from gevent.event import Event
from consult.live.delivery_lane import background_turn

turn = background_turn if sys.argv[1] == "lane" else contextlib.nullcontext
approval, delivered, page_saw = Event(), [], []
request, client = socket.socketpair()

def phone_stream(n):
    approval.wait()
    with turn():
        deadline = time.perf_counter() + 0.002  # rendering this phone's update
        while time.perf_counter() < deadline:
            pass
    delivered.append(n)

def page():
    request.recv(1)  # a page request whose bytes arrive just after the approval
    page_saw.append(len(delivered))

streams = [gevent.spawn(phone_stream, n) for n in range(100)]
waiter = gevent.spawn(page)
gevent.sleep(0.05)  # every stream and the page are waiting
approval.set()
client.send(b"G")
gevent.joinall([*streams, waiter], timeout=20)
assert len(delivered) == 100, len(delivered)
print(page_saw[0])
"""


def _updates_before_the_page(mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", FAN_OUT, mode], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip())


def test_a_page_runs_before_the_rest_of_a_fan_out():
    assert _updates_before_the_page("lane") <= 3


def test_without_the_lane_the_whole_fan_out_runs_first():
    """The check of the check: the same fan-out without the lane keeps the page waiting."""
    assert _updates_before_the_page("plain") == 100


def test_without_gevent_the_turn_is_a_plain_block():
    from consult.live.delivery_lane import background_turn

    ran = []
    with background_turn():
        ran.append(True)
    assert ran == [True]
