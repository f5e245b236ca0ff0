"""Where analysis jobs run: RQ, an in-process thread, inline; the heartbeat while they run."""

import threading
import time

from flask import has_app_context

from consult import jobs
from consult.analysis import execution as analysis_job
from consult.analysis import jobs as analysis_jobs


def test_rq_executor_enqueues_the_one_job_function(app, monkeypatch):
    enqueued = []

    class RecordingQueue:
        def enqueue(self, function, *args, **kwargs):
            enqueued.append((function, args, kwargs))

    monkeypatch.setattr(jobs, "queue", lambda _app, _name: RecordingQueue())
    app.config["ANALYSIS_EXECUTOR"] = "rq"
    analysis_jobs.enqueue(app, 7)
    assert enqueued == [
        (
            "consult.worker.run",
            ("consult.analysis.jobs:run_analysis", 7),
            {"job_timeout": analysis_jobs.JOB_TIMEOUT},
        )
    ]


def test_thread_executor_runs_the_job_in_the_app_context(app, monkeypatch):
    seen = []
    done = threading.Event()

    def fake_run(run_id):
        seen.append((run_id, threading.current_thread().name, has_app_context()))
        done.set()

    monkeypatch.setattr(analysis_jobs, "run_analysis", fake_run)
    app.config["ANALYSIS_EXECUTOR"] = "thread"
    analysis_jobs.enqueue(app, 3)
    assert done.wait(5)
    assert seen == [(3, "analysis-3", True)]


def test_heartbeat_beats_while_the_job_works_and_stops_after():
    class Tracker:
        beats = 0

        def beat(self):
            Tracker.beats += 1

    with analysis_job.Heartbeat(Tracker(), 0.02):
        time.sleep(0.2)
    counted = Tracker.beats
    assert counted >= 3
    time.sleep(0.1)
    assert Tracker.beats == counted
