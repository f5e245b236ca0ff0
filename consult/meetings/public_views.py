"""Public meetings: the calendar of what is coming and what happened, and saying you will come."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from consult import db
from consult.extensions import limiter
from consult.framework.context import current_consultation
from consult.meetings import public as public_meetings
from consult.meetings.forms import RegistrationForm

bp = Blueprint("public_meetings", __name__, url_prefix="/incontri")


@bp.get("/")
def index():
    consultation = current_consultation()
    return render_template(
        "meetings/public_index.html",
        calendar=public_meetings.calendar(db.session(), consultation.id or 0),
    )


@bp.get("/<int:meeting_id>")
def detail(meeting_id: int):
    form = RegistrationForm()
    form.ensure_idempotency_key()
    return _render(_shown(meeting_id), form)


@bp.post("/<int:meeting_id>/iscrizione")
@limiter.limit("10 per minute;50 per hour")
def register(meeting_id: int):
    shown = _shown(meeting_id)
    form = RegistrationForm()
    if shown.meeting.status == "closed":
        flash(_("L'incontro si è già svolto: le iscrizioni sono chiuse."), "error")
        return _render(shown, form, 409)
    if not form.validate_on_submit():
        form.ensure_idempotency_key()
        return _render(shown, form, 422)
    form.ensure_idempotency_key()
    _registration, new = public_meetings.register(
        db.session(),
        shown.meeting,
        name=form.name.data or "",
        email=form.email.data or None,
        idempotency_key=form.idempotency_key.data,
    )
    flash(
        _("Grazie: ti aspettiamo all'incontro.") if new else _("Eri già iscritta o iscritto."),
        "success",
    )
    return redirect(url_for(".detail", meeting_id=meeting_id), 303)


def _shown(meeting_id: int) -> public_meetings.PublicMeeting:
    consultation = current_consultation()
    found = public_meetings.public_meeting(db.session(), consultation.id or 0, meeting_id)
    return found or abort(404)


def _render(shown: public_meetings.PublicMeeting, form: RegistrationForm, status: int = 200):
    return render_template("meetings/public_detail.html", shown=shown, form=form), status
