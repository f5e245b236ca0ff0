"""`consult notifications send|digest`: deliver what waits, and the daily digest (cron or RQ)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from consult.notifications import delivery, jobs


@click.group("notifications")
def notifications_group() -> None:
    """E-mail notifications."""


@notifications_group.command("send")
@with_appcontext
def send_command() -> None:
    """Deliver every queued message that is due (retries after an SMTP failure included)."""
    counts = jobs.deliver()
    click.echo(f"sent {counts['sent']}, failed {counts['failed']}")


@notifications_group.command("digest")
@with_appcontext
def digest_command() -> None:
    """Gather the daily followers' waiting updates into one message each, then deliver."""
    engine = current_app.extensions["consult.engine"]
    delivery.release_held(engine)  # answers now public join today's digest
    made = delivery.build_digests(engine)
    counts = jobs.deliver()
    click.echo(f"digests {made}, sent {counts['sent']}, failed {counts['failed']}")
