"""Background jobs: where an analysis run executes (in-process thread, RQ worker or inline).

`run_analysis(run_id)` is the one job function for every executor; it builds an app when it
runs on an RQ worker, so the worker needs nothing but the environment.
"""

import logging
import threading

from flask import Flask, current_app, has_app_context

from .services import analysis_job

log = logging.getLogger(__name__)
QUEUE_NAME = "consult-analysis"
JOB_TIMEOUT = 3 * 3600


def run_analysis(run_id: int) -> str:
    """Execute one analysis run (the job function of the thread and of RQ)."""
    if has_app_context():
        return _execute(current_app, run_id)
    from . import create_app

    app = create_app()
    with app.app_context():
        return _execute(app, run_id)


def _execute(app: Flask, run_id: int) -> str:
    settings = analysis_job.JobSettings(
        encoder=app.config["CONSULT_EMBEDDINGS"],
        live_encoder=app.config.get("CONSULT_LIVE_EMBEDDINGS", "auto"),
        model_dir=app.config["CONSULT_MODEL_DIR"],
        heartbeat_every=app.config["ANALYSIS_HEARTBEAT_SECONDS"] or None,
    )
    return analysis_job.execute(app.extensions["consult.engine"], run_id, settings)


def enqueue(app: Flask, run_id: int) -> None:
    """Hand a committed run to the configured executor."""
    executor = app.config["ANALYSIS_EXECUTOR"]
    if executor == "rq":
        queue(app).enqueue(run_analysis, run_id, job_timeout=JOB_TIMEOUT)
    elif executor == "inline":
        run_analysis(run_id)
    else:
        threading.Thread(
            target=_in_app_context, args=(app, run_id), daemon=True, name=f"analysis-{run_id}"
        ).start()


def _in_app_context(app: Flask, run_id: int) -> None:
    with app.app_context():
        run_analysis(run_id)


def queue(app: Flask):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(app.config["REDIS_URL"]))
