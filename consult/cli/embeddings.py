"""`consult embed`: fill the embedding cache of a consultation ahead of its next analysis."""

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from consult import db


@click.command("embed")
@click.option(
    "--consultation",
    "slug",
    default=None,
    help="Slug of the consultation (default: CONSULT_CONSULTATION).",
)
@click.option(
    "--help-here",
    is_flag=True,
    help="With RQ, also embed chunks in this process instead of only waiting for the workers.",
)
@with_appcontext
def embed_command(slug: str | None, help_here: bool) -> None:
    """Embed the published proposals that have no vector yet, in chunks.

    With REDIS_URL the chunks go to the `consult worker` processes (start as many as there
    are cores, on any machine sharing the database and Redis) and this command waits for
    them; without it they run here.
    """
    from consult.analysis import embedding_work
    from consult.analysis import jobs as analysis_jobs
    from consult.analysis.rows import stored_id
    from consult.framework import consultations

    with db.standalone_session() as session:
        consultation = consultations.current(
            session, slug or current_app.config["CONSULTATION_SLUG"]
        )
        if consultation is None or (slug and consultation.slug != slug):
            raise click.UsageError(f"no consultation '{slug}': load a framework first")
        consultation_id = stored_id(consultation)
    texts = embedding_work.consultation_texts(db.engine(), consultation_id)
    started = time.perf_counter()
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.perf_counter() - last[0] >= 10 or done == total:
            last[0] = time.perf_counter()
            click.echo(f"  {done:,} of {total:,} vectors")

    outcome = analysis_jobs.embed_corpus(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        texts,
        report,
        help_here=help_here,
    )
    seconds = time.perf_counter() - started
    rate = outcome.total / seconds if seconds else 0.0
    click.echo(
        f"{outcome.total:,} of {len(texts):,} texts embedded in {outcome.chunks} chunks "
        f"in {seconds:.1f} s ({rate:.1f} texts/s; {outcome.here:,} in this process)."
    )
