"""The `consult` command: a Flask CLI group, the one entry point for operators."""

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from consult import db
from consult.accounts.models import ROLES


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(framework_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(export_all_command)
    app.cli.add_command(import_all_command)
    app.cli.add_command(users_group)
    app.cli.add_command(assignments_group)

    from consult.cli.nlp import nlp_group
    from consult.cli.themes import themes_group, worker_command

    app.cli.add_command(nlp_group)
    app.cli.add_command(themes_group)
    app.cli.add_command(worker_command)

    from consult.cli.embeddings import embed_command
    from consult.cli.imports import import_command

    app.cli.add_command(embed_command)
    from consult.cli.notifications import notifications_group
    from consult.cli.similar import similar_group

    app.cli.add_command(import_command)
    app.cli.add_command(notifications_group)
    app.cli.add_command(similar_group)


# --- database -------------------------------------------------------------------------------


def alembic_config():
    """Alembic configuration bound to this app's database URL."""
    from alembic.config import Config

    root = Path(__file__).resolve().parents[2]
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["engine"] = db.engine()
    return config


@click.group("db", help="Schema migrations (Alembic owns the schema).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from alembic import command

    command.upgrade(alembic_config(), revision)
    click.echo(f"Database at {revision}: {_safe_url()}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (default: one step; `base` empties the schema)."""
    from alembic import command

    command.downgrade(alembic_config(), revision)
    click.echo(f"Database downgraded to {revision}.")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Show the revision the database is at."""
    from alembic import command

    command.current(alembic_config())


def _safe_url() -> str:
    return db.engine().url.render_as_string(hide_password=True)


# --- frameworks -----------------------------------------------------------------------------


@click.group("framework", help="Strategy frameworks (objectives and territories as data).")
def framework_group() -> None:
    pass


@framework_group.command("load")
@click.argument("source")
@with_appcontext
def framework_load(source: str) -> None:
    """Load SOURCE, a YAML/JSON file or the code of a bundled framework (e.g. piemonte-2018)."""
    from consult.framework import loader as frameworks

    try:
        path = frameworks.resolve(source)
        with db.standalone_session() as session:
            framework = frameworks.load(session, path)
            code = framework.code
    except frameworks.FrameworkError as exc:
        click.echo(f"Framework refused, nothing was changed.\n{exc}", err=True)
        sys.exit(2)
    click.echo(f"Framework '{code}' loaded from {path}.")


# --- demo -----------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--data",
    "data_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV of proposals with id,text,objective (default: the bundled demo proposals).",
)
@click.option("--no-themes", is_flag=True, help="Skip the first theme analysis.")
@with_appcontext
def demo_command(data_path: str | None, no_themes: bool) -> None:
    """Load the Piedmont framework, demo accounts, meetings and proposals (idempotent)."""
    from consult.cli import demo

    csv_path = Path(data_path) if data_path else demo.default_data_path()
    if not csv_path.is_file():
        raise click.UsageError(f"demo data not found: {csv_path}")
    with db.standalone_session() as session:
        report = demo.load_demo(session, csv_path=csv_path)
    click.echo("DEMO DATA ONLY - these accounts must never exist on a real instance:")
    for email, role in report.accounts:
        click.echo(f"  {role:<12} {email}  password: {demo.DEMO_PASSWORD}")
    click.echo(
        f"{report.contributions_added} proposals added ({report.contributions_total} in all), "
        f"{report.meetings} meetings."
    )
    if report.live_code:
        click.echo(f"Live session open: join at /live/{report.live_code}")
    if not no_themes:
        from consult.cli.themes import fit_themes

        fit_themes(skip_if_fitted=True)


# --- whole-database export and import -------------------------------------------------------


@click.command("export-all")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_all_command(path: str) -> None:
    """Write every table to PATH (JSON) for backup or moving to another database."""
    from consult.cli import backup

    with db.engine().connect() as connection:
        counts = backup.export_all(connection, Path(path))
    click.echo(f"Exported {sum(counts.values())} rows from {len(counts)} tables to {path}.")


@click.command("import-all")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_all_command(path: str) -> None:
    """Load an export-all file into this empty, migrated database (all or nothing)."""
    from consult.cli import backup

    try:
        with db.engine().begin() as connection:
            counts = backup.import_all(connection, Path(path))
    except backup.BackupError as exc:
        click.echo(f"Import refused, nothing was changed: {exc}", err=True)
        sys.exit(2)
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables.")


# --- stored assignments ---------------------------------------------------------------------


@click.group("assignments", help="The stored result of the objective rule (every count reads it).")
def assignments_group() -> None:
    pass


@assignments_group.command("rebuild")
@with_appcontext
def assignments_rebuild() -> None:
    """Recompute every proposal's objectives (once after `db upgrade` to 0009, or after SQL)."""
    from consult.analysis import assignment_store

    with db.standalone_session() as session:
        count = assignment_store.rebuild_all(session)
    click.echo(f"Stored the objectives of {count} proposals.")


# --- users ----------------------------------------------------------------------------------


@click.group("users", help="Accounts of a real instance (the demo ones are for demos only).")
def users_group() -> None:
    pass


@users_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(list(ROLES)),
    default="participant",
    show_default=True,
)
@click.option("--name", "display_name", default="", help="Name shown next to comments.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
@with_appcontext
def users_create(email: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Create the account EMAIL with ROLE; the password is asked for, never an argument."""
    from consult.accounts import services as accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with db.standalone_session() as session:
            user = accounts.create_user(
                session, email=email, password=password, display_name=display_name, role=role
            )
            user_id = user.id
    except accounts.AccountError as exc:
        click.echo(f"Account not created: {_ACCOUNT_ERRORS.get(exc.code, exc.code)}", err=True)
        sys.exit(2)
    click.echo(f"Account {user_id} created: {email.strip().lower()} ({role}).")


_ACCOUNT_ERRORS = {
    "bad-email": "this is not a valid e-mail address.",
    "email-taken": "an account with this e-mail already exists.",
    "too-short": "the password must have at least 10 characters.",
    "too-long": "the password must have at most 200 characters.",
    "common": "the password is too common.",
    "is-email": "the password must not be the e-mail address.",
}
