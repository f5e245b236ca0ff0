"""Downloads of a meeting's (or one live session's) items for staff, as CSV and XLSX."""

from datetime import date

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import login_required

from consult import db
from consult.common.numbers import parse_int
from consult.common.sheet_web import sheet_words
from consult.common.text_rules import fold
from consult.meetings import exports
from consult.meetings import services as meetings
from consult.meetings.access import managed_meeting
from consult.meetings.models import LiveSession, Meeting

bp = Blueprint("exports", __name__, url_prefix="/facilitatore/incontri")

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/<int:meeting_id>/esporta.csv")
@login_required
def meeting_csv(meeting_id: int):
    meeting, live = _scope(meeting_id)
    rows = exports.export_rows(
        db.session(), meeting_id=meetings.stored_id(meeting), live_session_id=_id(live)
    )
    return attachment(
        exports.to_csv(rows, sheet_words()),
        "text/csv; charset=utf-8",
        _filename(meeting, live, "csv"),
    )


@bp.get("/<int:meeting_id>/esporta.xlsx")
@login_required
def meeting_xlsx(meeting_id: int):
    meeting, live = _scope(meeting_id)
    rows = exports.export_rows(
        db.session(), meeting_id=meetings.stored_id(meeting), live_session_id=_id(live)
    )
    body = exports.to_xlsx(rows, sheet_title=_("Contributi"), words=sheet_words())
    return attachment(body, XLSX_MIME, _filename(meeting, live, "xlsx"))


def _scope(meeting_id: int) -> tuple[Meeting, LiveSession | None]:
    """The meeting (staff only) and the live session named by `?sessione=`, if any."""
    meeting = managed_meeting(meeting_id, planners=True)
    raw = request.args.get("sessione", "")
    if not raw:
        return meeting, None
    session_id = parse_int(raw, 0)
    live = meetings.get_live_session(db.session(), session_id) if session_id else None
    if live is None or live.meeting_id != meeting.id:
        abort(404)
    return meeting, live


def _id(live: LiveSession | None) -> int | None:
    return live.id if live else None


def _filename(meeting: Meeting, live: LiveSession | None, extension: str) -> str:
    """ASCII, e.g. `incontro-territoriale-di-torino-sessione-DEMA42-2026-11-25.csv`."""
    words = fold(meeting.title).encode("ascii", "ignore").decode().split()
    slug = "-".join(words)[:60].strip("-") or f"incontro-{meeting.id}"
    session_part = f"-sessione-{fold(live.code).upper()}" if live else ""
    return f"{slug}{session_part}-{date.today().isoformat()}.{extension}"


def attachment(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
