"""Importing minutes and paper forms from CSV/XLSX: upload, mapping, dry run, confirmation.

The file stays on the server (instance/imports, random name) between the steps, parsed once,
so the user uploads once; every step is a plain form that works without JavaScript. A large
confirmed import runs as a background job whose status page polls while it works.
"""

import logging
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import event

from consult import db, jobs
from consult.common import upload_store
from consult.common.sheet_web import sheet_words
from consult.common.tabular import Table, TableError, read_table
from consult.framework.context import current_consultation
from consult.meetings import exports, import_runs, imports
from consult.meetings import services as meetings
from consult.meetings.access import managed_meeting
from consult.meetings.export_views import XLSX_MIME, attachment
from consult.meetings.import_mapping import (
    FIELD_LABELS,
    FIELDS,
    TEMPLATE_HEADERS,
    MappingError,
    guess_mapping,
    mapping_from_form,
)
from consult.meetings.models import Meeting

bp = Blueprint("imports", __name__, url_prefix="/facilitatore/incontri")
log = logging.getLogger(__name__)
IMPORT_MAX_BYTES = 4 * 1024 * 1024
PREVIEW_ROWS = 10
BACKGROUND_ROWS = 300  # confirmed imports with more valid rows than this run as a job


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


def _folder() -> Path:
    """Where uploads wait for confirmation (IMPORT_FOLDER, else instance/imports)."""
    configured = current_app.config.get("IMPORT_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "imports"


@bp.route("/<int:meeting_id>/importa", methods=["GET", "POST"])
@login_required
def upload(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    form = UploadForm()
    if not form.validate_on_submit():
        error = _("Scegli un file CSV o XLSX.") if form.is_submitted() else None
        return _upload_page(meeting, form, error)
    limit = current_app.config.get("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
    with form.file.data.stream as stream:  # large uploads are spooled to a temporary file
        data = stream.read(limit + 1)
    filename = form.file.data.filename or "file"
    if len(data) > limit:
        too_big = _("Il file supera %(limit)s: dividilo in più file.", limit=_size(limit))
        return _upload_page(meeting, form, too_big)
    try:
        table = read_table(data, filename)
    except TableError as exc:
        return _upload_page(meeting, form, _(exc.message, **exc.params))
    stored = upload_store.save(
        _folder(),
        data,
        filename=filename,
        meeting_id=meetings.stored_id(meeting),
        user_id=current_user.id,
        table=table,
    )
    return redirect(url_for("imports.mapping", meeting_id=meeting.id, token=stored.token), 303)


def _size(limit: int) -> str:
    return f"{limit / 1048576:.0f} MB" if limit >= 1048576 else f"{limit // 1024} KB"


def _upload_page(meeting: Meeting, form: UploadForm, error: str | None):
    status = 422 if error else 200
    limit = _size(current_app.config.get("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))
    return render_template(
        "imports/upload.html", meeting=meeting, form=form, error=error, limit=limit
    ), status


def _load(
    meeting: Meeting, token: str, sheet: str | None
) -> tuple[upload_store.StoredUpload, Table]:
    """The kept upload of this meeting and user, as parsed once; 404 once gone or foreign.

    A sheet that cannot be read (another sheet of the workbook, say) answers the upload page
    with the reason.
    """
    stored = upload_store.load_meta(_folder(), token)
    if stored is None or stored.meeting_id != meeting.id or stored.user_id != current_user.id:
        abort(404)
    try:
        return stored, upload_store.parsed_table(_folder(), stored, sheet or None)
    except TableError as exc:
        abort(make_response(*_upload_page(meeting, UploadForm(), _(exc.message, **exc.params))))


@bp.get("/<int:meeting_id>/importa/<token>")
@login_required
def mapping(meeting_id: int, token: str):
    meeting = managed_meeting(meeting_id)
    stored, table = _load(meeting, token, request.args.get("foglio"))
    return _mapping_page(meeting, stored, table, guess_mapping(table.headers))


def _mapping_page(meeting, stored, table, chosen, error: str | None = None, status: int = 200):
    return render_template(
        "imports/mapping.html",
        meeting=meeting,
        stored=stored,
        table=table,
        chosen=chosen,
        fields=FIELDS,
        labels=FIELD_LABELS,
        preview=table.rows[:PREVIEW_ROWS],
        error=error,
    ), status


@bp.post("/<int:meeting_id>/importa/<token>/verifica")
@login_required
def dry_run(meeting_id: int, token: str):
    """Validate every row and report; nothing is stored."""
    meeting = managed_meeting(meeting_id)
    stored, table = _load(meeting, token, request.form.get("foglio"))
    try:
        chosen = mapping_from_form(table, request.form)
    except MappingError as exc:
        submitted = {f: _int(request.form.get(f)) for f in FIELDS}
        return _mapping_page(meeting, stored, table, submitted, _(exc.message), 422)
    plan = imports.plan_import(db.session(), table, chosen, meeting)
    return _report(meeting, stored, table, chosen, plan)


def _report(meeting, stored, table, chosen, plan, error=None, status=200, result=None):
    return render_template(
        "imports/report.html",
        meeting=meeting,
        stored=stored,
        table=table,
        chosen=chosen,
        plan=plan,
        rejected=import_runs.rejected_rows(plan),
        fields=FIELDS,
        labels=FIELD_LABELS,
        error=error,
        result=result,
    ), status


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() else None


@bp.post("/<int:meeting_id>/importa/<token>/conferma")
@login_required
def confirm(meeting_id: int, token: str):
    """Store every valid row in one transaction, or nothing at all.

    `apply_import` works in a savepoint: on failure nothing of it stays in the session, the page
    reports it with a 500 (so the request's transaction is rolled back), and the upload is kept
    for a retry. On success the request's single commit stores the rows, then the upload goes.
    """
    meeting = managed_meeting(meeting_id)
    stored, table = _load(meeting, token, request.form.get("foglio"))
    try:
        chosen = mapping_from_form(table, request.form)
    except MappingError:
        abort(400)
    session = db.session()
    plan = imports.plan_import(session, table, chosen, meeting)
    if str(len(plan.valid)) != request.form.get("attese"):
        changed = _("Nel frattempo qualcosa è cambiato: controlla di nuovo il resoconto.")
        return _report(meeting, stored, table, chosen, plan, changed, 409)
    if len(plan.valid) > current_app.config.get("IMPORT_BACKGROUND_ROWS", BACKGROUND_ROWS):
        return _start_background(meeting, stored, table, chosen, plan)
    source = imports.ImportSource(stored.filename, stored.digest, table.sheet)
    try:
        import_id = imports.apply_import(session, plan, meeting, source, actor_id=current_user.id)
    except Exception as exc:  # whatever it is, nothing may stay half-applied
        log.exception("import %s of meeting %s failed", stored.filename, meeting.id)
        failed = _(
            "Importazione non riuscita, nessuna riga è stata salvata: %(error)s",
            error=type(exc).__name__,
        )
        return _report(meeting, stored, table, chosen, plan, failed, 500)
    folder = _folder()
    event.listen(session, "after_commit", lambda _s: upload_store.delete(folder, token), once=True)
    return _report(meeting, stored, table, chosen, plan, result=import_id)


def _start_background(meeting, stored, table, chosen, plan):
    """Hand the import to the job executor and show its status page."""
    folder = _folder()
    import_runs.start(folder, stored, plan)
    jobs.enqueue(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        import_runs.run_import,
        str(folder),
        stored.token,
        table.sheet,
        chosen,
        meeting.id,
        current_user.id,
        name=f"import-{stored.token[:8]}",
        timeout=3600,
    )
    return redirect(url_for("imports.status", meeting_id=meeting.id, token=stored.token), 303)


@bp.get("/<int:meeting_id>/importa/<token>/stato")
@login_required
def status(meeting_id: int, token: str):
    """Where a background import is; the fragment polls itself until the job ends."""
    meeting = managed_meeting(meeting_id)
    progress = upload_store.load_progress(_folder(), token)
    if progress is None:  # not confirmed yet: back to its columns, if it is this user's
        _load(meeting, token, None)
        return redirect(url_for("imports.mapping", meeting_id=meeting.id, token=token), 303)
    if progress.get("meeting_id") != meeting.id or progress.get("user_id") != current_user.id:
        abort(404)
    fragment = request.headers.get("HX-Request") == "true"
    template_name = "imports/_progress.html" if fragment else "imports/progress.html"
    response = make_response(
        render_template(template_name, meeting=meeting, token=token, progress=progress)
    )
    response.headers["Vary"] = "HX-Request"
    return response


@bp.get("/<int:meeting_id>/importa/<token>/scartate.<any(csv, xlsx):extension>")
@login_required
def rejected_rows(meeting_id: int, token: str, extension: str):
    """The rejected rows as they were in the file, with a column saying why: fix them there
    and upload the file again (the extra columns are not mapped to anything)."""
    meeting = managed_meeting(meeting_id)
    stored, table = _load(meeting, token, request.args.get("foglio"))
    try:
        chosen = (
            mapping_from_form(table, request.args)
            if any(f in request.args for f in FIELDS)
            else guess_mapping(table.headers)
        )
    except MappingError:
        abort(400)
    plan = imports.plan_import(db.session(), table, chosen, meeting)
    headers = [*table.headers, _("Riga del file"), _("Motivo dello scarto")]
    rows = [
        [*cells, str(number), "; ".join(_(p.message, **p.params) for p in problems)]
        for number, cells, problems in imports.rejected_cells(table, plan)
    ]
    stem = Path(stored.filename).stem.encode("ascii", "ignore").decode() or "file"
    filename = f"righe-scartate-{stem[:40]}.{extension}"
    if extension == "csv":
        body = exports.rejected_csv(headers, rows, sheet_words())
        return attachment(body, "text/csv; charset=utf-8", filename)
    body = exports.rejected_xlsx(headers, rows, sheet_title=_("Righe scartate"))
    return attachment(body, XLSX_MIME, filename)


@bp.get("/modello-importazione.<any(csv, xlsx):extension>")
@login_required
def template(extension: str):
    """The expected headers and example rows; the XLSX also lists every accepted value."""
    if not current_user.has_role("facilitator"):
        abort(403)
    accepted = imports.accepted_values(db.session(), current_consultation().id or 0)
    if extension == "csv":
        body, mimetype = exports.template_csv(accepted, sheet_words()), "text/csv; charset=utf-8"
    else:
        body = exports.template_xlsx(accepted, dict(zip(FIELDS, TEMPLATE_HEADERS, strict=True)))
        mimetype = XLSX_MIME
    return attachment(body, mimetype, f"modello-importazione-proposte.{extension}")
