"""`consult import FILE --meeting ID`: the operators' import, the same service as the web pages."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import Session, func, select

from consult import db
from consult.accounts.models import User
from consult.common.tabular import TableError, read_table
from consult.meetings import imports
from consult.meetings.import_mapping import MappingError, mapping_from_names
from consult.meetings.models import Meeting


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--meeting", "meeting_id", type=int, required=True, help="Meeting id.")
@click.option("--dry-run", is_flag=True, help="Validate and report; store nothing.")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="FIELD=HEADER",
    help="Column of a field, e.g. --map text=Testo (repeatable; empty header = none).",
)
@click.option("--sheet", default=None, help="XLSX sheet (default: the first).")
@click.option("--valid-only", is_flag=True, help="Import the valid rows even if some are rejected.")
@click.option("--as", "actor_email", default=None, help="E-mail of the operator, for provenance.")
@with_appcontext
def import_command(path, meeting_id, dry_run, pairs, sheet, valid_only, actor_email) -> None:
    """Import proposals of a meeting from a CSV or XLSX file (all valid rows, or nothing)."""
    data = path.read_bytes()
    try:
        table = read_table(data, path.name, sheet)
        mapping = mapping_from_names(table, _parse_pairs(pairs))
    except (TableError, MappingError) as exc:
        _fail(str(exc), 2)
    with db.standalone_session() as session:
        meeting = session.get(Meeting, meeting_id) or _fail(f"No meeting {meeting_id}.", 2)
        actor_id = _actor_id(session, actor_email)
        plan = imports.plan_import(session, table, mapping, meeting)
        _report(table, mapping, plan)
        if dry_run:
            click.echo("Dry run: nothing was stored.")
            return
        if plan.rejected and not valid_only:
            _fail("Nothing was stored: fix the rejected rows or pass --valid-only.", 1)
        source = imports.ImportSource(path.name, _digest(data), table.sheet)
        import_id = imports.apply_import(session, plan, meeting, source, actor_id=actor_id)
    click.echo(f"Imported {len(plan.valid)} proposals (import {import_id}).")


def _parse_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for pair in pairs:
        name, sep, header = pair.partition("=")
        if not sep:
            _fail(f"--map needs FIELD=HEADER, got {pair!r}.", 2)
        parsed[name.strip()] = header.strip()
    return parsed


def _actor_id(session: Session, email: str | None) -> int | None:
    if not email:
        return None
    user = session.exec(select(User).where(func.lower(User.email) == email.lower())).first()
    return user.id if user else _fail(f"No user {email}.", 2)


def _report(table, mapping, plan: imports.ImportPlan) -> None:
    columns = ", ".join(f"{k}={table.headers[v]}" for k, v in mapping.items() if v is not None)
    click.echo(f"Columns: {columns}")
    click.echo(
        f"Rows: {plan.total} read, {len(plan.valid)} valid, "
        f"{len(plan.rejected)} rejected, {plan.blank_rows} blank ignored."
    )
    for result in plan.rejected:
        reasons = "; ".join(p.message % p.params for p in result.problems)
        click.echo(f"  riga {result.row}: {reasons}")


def _digest(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _fail(message: str, code: int):
    click.echo(message, err=True)
    sys.exit(code)
