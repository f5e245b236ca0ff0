"""The theme-analysis job: one function for every executor (thread, RQ, inline)."""

from functools import partial

from flask import Flask, current_app
from sqlmodel import Session

from consult import jobs
from consult.analysis import execution as analysis_job

QUEUE_NAME = jobs.DEFAULT_QUEUE
JOB_TIMEOUT = 3 * 3600


def run_analysis(run_id: int) -> str:
    """Execute one analysis run (the job function of the thread and of RQ) in the app context."""
    app = current_app
    settings = analysis_job.JobSettings(
        encoder=app.config["CONSULT_EMBEDDINGS"],
        live_encoder=app.config.get("CONSULT_LIVE_EMBEDDINGS", "auto"),
        model_dir=app.config["CONSULT_MODEL_DIR"],
        heartbeat_every=app.config["ANALYSIS_HEARTBEAT_SECONDS"] or None,
    )
    return analysis_job.run(app.extensions["consult.engine"], run_id, settings)


def enqueue(app: Flask, run_id: int) -> None:
    """Hand a committed run to the configured executor."""
    jobs.enqueue(
        app,
        run_analysis,
        run_id,
        name=f"analysis-{run_id}",
        timeout=JOB_TIMEOUT,
        queue_name=QUEUE_NAME,
    )


def enqueue_after_commit(session: Session, app: Flask, run_id: int) -> None:
    """Hand a run just added in `session` to the executor once the session commits it."""
    jobs.on_commit(session, partial(enqueue, app, run_id))
