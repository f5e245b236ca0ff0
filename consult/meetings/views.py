"""The facilitator area: the meeting registry and closing records."""

import secrets
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult import db
from consult.accounts.auth import role_required
from consult.framework.context import current_consultation
from consult.meetings import live_outcomes
from consult.meetings import public as public_meetings
from consult.meetings import services as meetings
from consult.meetings.access import managed_meeting
from consult.meetings.forms import MINUTES_MAX_BYTES, CloseMeetingForm, LiveSessionForm, MeetingForm
from consult.meetings.models import Meeting

bp = Blueprint("meetings", __name__, url_prefix="/facilitatore")

LOCAL_TIMEZONE = ZoneInfo("Europe/Rome")


@bp.app_context_processor
def number_helpers() -> dict:
    return {"format_decimal": format_decimal}


@bp.app_template_filter("local_time")
def local_time(value: datetime | None) -> datetime | None:
    """Meetings happen in Piedmont: show their times in Italian time."""
    return value.astimezone(LOCAL_TIMEZONE) if value else None


def _consultation():
    return current_consultation(missing=503)


@bp.get("/incontri")
@role_required("facilitator")
def index():
    consultation = _consultation()
    return render_template(
        "meetings/index.html",
        meetings=meetings.meetings_for(db.session(), current_user, consultation.id),
        territories=meetings.territory_names(db.session(), consultation.framework_id),
    )


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    """Offers the consultation's own territories: another framework's are not its places."""
    form = MeetingForm(obj=None)
    session_db = db.session()
    framework_id = _consultation().framework_id
    form.territory.choices = [SelectChoice(0, _("Nessun territorio"))] + [
        SelectChoice(t.id, t.name) for t in meetings.territories(session_db, framework_id)
    ]
    form.facilitators.choices = [
        SelectChoice(u.id, u.display_name or u.email)
        for u in meetings.facilitator_choices(session_db)
    ]
    if meeting is not None and not form.is_submitted():
        form.title.data, form.place.data = meeting.title, meeting.place
        form.territory.data = meeting.territory_id or 0
        form.agenda.data = meeting.agenda
        form.starts_at.data = local_time(meeting.starts_at)
        km = meeting.km_travelled
        form.km_travelled.data = Decimal(str(km)) if km is not None else None
        form.facilitators.data = sorted(
            meetings.facilitator_ids(session_db, meetings.stored_id(meeting))
        )
    return form


def _form_values(form: MeetingForm) -> dict:
    starts_at = form.starts_at.data.replace(tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
    km = form.km_travelled.data
    return {
        "title": form.title.data,
        "territory_id": form.territory.data or None,
        "place": form.place.data or "",
        "starts_at": starts_at,
        "agenda": form.agenda.data or "",
        "km_travelled": float(km) if km is not None else None,
    }


@bp.route("/incontri/nuovo", methods=["GET", "POST"])
@role_required("facilitator")
def create():
    consultation = _consultation()
    form = _meeting_form()
    if form.validate_on_submit():
        meeting = meetings.save_meeting(
            db.session(),
            actor_id=current_user.id,
            values=_form_values(form),
            facilitators=set(form.facilitators.data or []),
            consultation_id=consultation.id,
        )
        flash(_("Incontro creato."), "success")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=None), status


@bp.route("/incontri/<int:meeting_id>/modifica", methods=["GET", "POST"])
@role_required("facilitator")
def edit(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    form = _meeting_form(meeting)
    if form.validate_on_submit():
        meetings.save_meeting(
            db.session(),
            actor_id=current_user.id,
            values=_form_values(form),
            facilitators=set(form.facilitators.data or []),
            meeting=meeting,
        )
        flash(_("Incontro aggiornato."), "success")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=meeting), status


@bp.get("/incontri/<int:meeting_id>")
@role_required("facilitator")
def show(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    return render_show(meeting, LiveSessionForm())


def render_show(meeting: Meeting, live_form: LiveSessionForm, status: int = 200):
    session_db, meeting_id = db.session(), meetings.stored_id(meeting)
    return render_template(
        "meetings/show.html",
        meeting=meeting,
        territory=meetings.get_territory(session_db, meeting.territory_id),
        facilitators=meetings.facilitators(session_db, meeting_id),
        sessions=meetings.live_sessions(session_db, meeting_id),
        linked=meetings.linked_contributions(session_db, meeting_id),
        votes=live_outcomes.closed_votes(session_db, meeting_id=meeting_id),
        registrations=public_meetings.registrations(session_db, meeting_id),
        live_form=live_form,
    ), status


@bp.post("/incontri/<int:meeting_id>/apri")
@role_required("facilitator")
def open_meeting(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    try:
        meetings.open_meeting(db.session(), meeting, actor_id=current_user.id)
    except meetings.MeetingError:
        flash(_("L'incontro non può essere aperto nel suo stato attuale."), "error")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
    flash(_("Incontro aperto."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)


@bp.route("/incontri/<int:meeting_id>/chiudi", methods=["GET", "POST"])
@role_required("facilitator")
def close(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    if meeting.status == "closed":
        flash(_("L'incontro è già chiuso."), "info")
        return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
    form = CloseMeetingForm()
    if form.validate_on_submit():
        stored = _store_minutes_file(form)
        record = meetings.ClosingRecord(
            attendance=form.attendance.data,
            organisations=form.organisations.data or "",
            minutes=form.minutes.data or "",
            minutes_file=stored if isinstance(stored, str) else None,
        )
        if stored is not False and not record.missing():
            meetings.close_meeting(db.session(), meeting, record, actor_id=current_user.id)
            flash(_("Incontro chiuso. Grazie per il verbale."), "success")
            return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)
        if stored is not False:
            form.minutes.errors = [_("Scrivi il verbale o carica un file con il verbale.")]
    status = 422 if form.is_submitted() else 200
    if status == 422:
        flash(_("L'incontro non è stato chiuso: completa i campi indicati."), "error")
    return render_template("meetings/close.html", form=form, meeting=meeting), status


def _store_minutes_file(form: CloseMeetingForm) -> str | bool | None:
    """Save an uploaded minutes file under a random name; False (with an error) if refused."""
    upload = form.minutes_file.data
    if not upload or not upload.filename:
        return None
    data = upload.read(MINUTES_MAX_BYTES + 1)
    if len(data) > MINUTES_MAX_BYTES:
        form.minutes_file.errors = [_("Il file del verbale supera i 4 MB.")]
        return False
    if not data:
        form.minutes_file.errors = [_("Il file del verbale è vuoto.")]
        return False
    extension = upload.filename.rsplit(".", 1)[-1].lower()
    folder = _minutes_folder()
    name = f"{secrets.token_urlsafe(16)}.{extension}"
    (folder / name).write_bytes(data)
    return name


def _minutes_folder() -> Path:
    folder = Path(
        current_app.config.get("MINUTES_FOLDER") or current_app.instance_path + "/minutes"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.get("/incontri/<int:meeting_id>/verbale")
@role_required("facilitator", "planner")
def minutes_file(meeting_id: int):
    """The uploaded minutes: the meeting's facilitators, planners and admins (they name people).

    Any other facilitator is refused, as for the meeting's page.
    """
    meeting = managed_meeting(meeting_id, planners=True)
    if not meeting.minutes_file:
        abort(404)
    path = _minutes_folder() / Path(meeting.minutes_file).name
    if not path.is_file():
        abort(404)
    return send_file(
        path, as_attachment=True, download_name=f"verbale-incontro-{meeting.id}{path.suffix}"
    )
