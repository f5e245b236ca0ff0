"""`consult similar fill`: index every published proposal for "proposte simili" ahead of the
participants (after a bulk import; analysis/pgvector_index.py)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlmodel import select

from consult import db


@click.group("similar", help="The vector index behind 'proposte simili'.")
def similar_group() -> None:
    pass


@similar_group.command("fill")
@click.option("--consultation", "slug", default=None, help="Only this consultation (its slug).")
@with_appcontext
def similar_fill(slug: str | None) -> None:
    """Embed and index every published proposal now: on PostgreSQL with pgvector a search then
    finds the table full (without pgvector each process indexes at its first search)."""
    from consult.analysis import nlp_runtime, pgvector_index, proposal_index
    from consult.framework.models import Consultation

    encoder = nlp_runtime.duplicate_encoder(current_app.config["CONSULT_EMBEDDINGS"])
    with db.standalone_session() as session:
        if encoder is None or not pgvector_index.usable(session):
            click.echo("Nothing to fill: no sentence encoder, or no pgvector on this database.")
            return
        query = select(Consultation)
        if slug:
            query = query.where(Consultation.slug == slug)
        for consultation in session.exec(query).all():
            count = proposal_index.fill(
                session, consultation_id=consultation.id or 0, encoder=encoder
            )
            click.echo(f"{consultation.slug}: {count} proposals registered.")
