"""Background jobs run on operating-system threads, also inside a gevent worker."""

import subprocess
import sys

from consult.config import ROOT

UNDER_GEVENT = """
from gevent import monkey
monkey.patch_all()
import threading
from consult.jobs import start_native_thread

native_ident = monkey.get_original("_thread", "get_ident")
loop_thread = native_ident()
ran_on = []
done = threading.Event()

def job(value):
    ran_on.append((native_ident(), value))
    done.set()

start_native_thread(job, ("fit",), name="test-job")
assert done.wait(10), "the job never ran"
thread, value = ran_on[0]
assert value == "fit"
print("native" if thread != loop_thread else "greenlet")
"""


def test_a_job_runs_on_a_real_thread_under_gevent_so_it_cannot_hold_the_event_loop():
    result = subprocess.run(
        [sys.executable, "-c", UNDER_GEVENT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "native"
