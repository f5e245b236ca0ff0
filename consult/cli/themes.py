"""`consult themes fit` and `consult worker`: theme analyses from the command line."""

import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from consult import db


@click.group("themes", help="Theme analyses of a consultation in the database.")
def themes_group() -> None:
    pass


@themes_group.command("fit")
@click.option(
    "--consultation",
    "slug",
    default=None,
    help="Slug of the consultation (default: CONSULT_CONSULTATION).",
)
@with_appcontext
def fit_command(slug: str | None) -> None:
    """Fit the themes of a consultation now, as a new run (the previous themes stay until done)."""
    fit_themes(slug=slug)


def fit_themes(*, slug: str | None = None, skip_if_fitted: bool = False) -> None:
    """Run one analysis synchronously with the same job function the web workers use."""
    from consult.analysis import assignment
    from consult.analysis import jobs as analysis_jobs
    from consult.analysis import runs as analysis_runs
    from consult.analysis.models import AnalysisRun
    from consult.analysis.rows import existing, stored_id
    from consult.framework import consultations

    with db.standalone_session() as session:
        consultation = consultations.current(
            session, slug or current_app.config["CONSULTATION_SLUG"]
        )
        if consultation is None or (slug and consultation.slug != slug):
            raise click.UsageError(f"no consultation '{slug}': load a framework first")
        if skip_if_fitted and assignment.current_run(session, stored_id(consultation)) is not None:
            click.echo("Themes already fitted; skipping the first analysis.")
            return
        try:
            run = analysis_runs.start(
                session,
                consultation,
                None,
                stale_after=current_app.config["ANALYSIS_STALE_SECONDS"],
                params={"encoder": current_app.config["CONSULT_EMBEDDINGS"]},
            )
        except analysis_runs.AnalysisBusyError:
            click.echo("An analysis of this consultation is already running.", err=True)
            sys.exit(2)
        except analysis_runs.TooFewProposalsError as few:
            click.echo(f"Too few proposals to fit themes ({few.count}); skipped.")
            return
        run_id = stored_id(run)
    click.echo(f"Fitting the themes of '{consultation.slug}'...")
    started = time.perf_counter()
    outcome = analysis_jobs.run_analysis(run_id)
    click.echo(f"Theme analysis {outcome} in {time.perf_counter() - started:.1f} s.")
    if outcome != "succeeded":
        with db.standalone_session() as session:
            click.echo(f"Error: {existing(session, AnalysisRun, run_id).error}")
        sys.exit(1)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for theme analyses (needs REDIS_URL)."""
    from rq import Worker

    from consult import jobs
    from consult.analysis import runs as analysis_runs

    if not current_app.config["REDIS_URL"]:
        click.echo("REDIS_URL is not set: analyses run inside the web process.", err=True)
        sys.exit(2)
    with db.standalone_session() as session:
        failed = analysis_runs.sweep_stale(
            session, stale_after=current_app.config["ANALYSIS_STALE_SECONDS"]
        )
    if failed:
        click.echo(f"{failed} interrupted analyses marked as failed.")
    queue = jobs.queue(current_app)
    mail_queue = jobs.queue(current_app, jobs.MAIL_QUEUE)  # short jobs first
    Worker([mail_queue, queue], connection=queue.connection).work(burst=burst)
