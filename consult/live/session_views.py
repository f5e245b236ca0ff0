"""A meeting's live sessions as its facilitators see them: open, show, close."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import db
from consult.accounts.auth import role_required
from consult.common.numbers import parse_int
from consult.framework import phases
from consult.live import polls as live_polls
from consult.live import priorities
from consult.live import services as live_sessions
from consult.meetings import services as meetings
from consult.meetings.access import managed_meeting, managed_session
from consult.meetings.forms import LiveSessionForm
from consult.meetings.models import LiveSession, Meeting
from consult.meetings.services import stored_id
from consult.meetings.views import render_show

bp = Blueprint("live_sessions", __name__, url_prefix="/facilitatore")


@bp.post("/incontri/<int:meeting_id>/sessioni")
@role_required("facilitator")
def open_live_session(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    form = LiveSessionForm()
    if not form.validate_on_submit():
        return render_show(meeting, form, 422)
    try:
        live = live_sessions.open_session(
            db.session(),
            meeting,
            actor_id=current_user.id,
            moderation=form.moderation.data,
            groups=(form.groups.data or "").splitlines(),
            groups_per_axis=form.groups_per_axis.data,
        )
    except phases.ParticipationClosed:
        message = _(
            "La fase attuale della consultazione non prevede sessioni dal vivo: "
            "la sessione non è stata aperta."
        )
        flash(message, "error")
        return render_show(meeting, form, 409)
    except live_sessions.LiveSessionError:
        flash(_("Non si può aprire una sessione dal vivo per un incontro chiuso."), "error")
        return render_show(meeting, form, 422)
    flash(_("Sessione dal vivo aperta con il codice %(code)s.", code=live.code), "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id), 303)


@bp.get("/sessioni/<int:session_id>")
@role_required("facilitator")
def live_session(session_id: int):
    live, meeting = managed_session(session_id)
    return render_session(live, meeting)


def render_session(
    live: LiveSession,
    meeting: Meeting,
    status: int = 200,
    error: str | None = None,
    poll_error: str | None = None,
):
    """The session's page: code and QR, the phones' switches, priorities rounds, tallies."""
    groups = live_sessions.working_groups(db.session(), stored_id(live))
    page = render_template(
        "meetings/live_session.html",
        live=live,
        meeting=meeting,
        groups=groups,
        group_names={g.id: g.name for g in groups},
        facilitators=meetings.facilitators(db.session(), stored_id(meeting)),
        counts=live_sessions.counts_by_status(db.session(), stored_id(live)),
        rounds=priorities.with_tallies(
            db.session(), priorities.rounds(db.session(), stored_id(live))
        ),
        join_url=url_for("live.session_form", code=live.code, _external=True),
        polls=live_polls.with_results(
            db.session(), live_polls.polls(db.session(), stored_id(live))
        ),
        error=error,
        poll_error=poll_error,
    )
    return page, status


@bp.post("/sessioni/<int:session_id>/chiudi")
@role_required("facilitator")
def close_live_session(session_id: int):
    live, _meeting = managed_session(session_id)
    live_sessions.close_session(db.session(), live, actor_id=current_user.id)
    flash(_("Sessione dal vivo chiusa: i telefoni non possono più inviare proposte."), "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id), 303)


@bp.post("/sessioni/<int:session_id>/gruppi/<int:group_id>/facilitatore")
@role_required("facilitator")
def assign_group(session_id: int, group_id: int):
    """Put one of the meeting's facilitators in charge of a working group."""
    live, meeting = managed_session(session_id)
    session_db = db.session()
    group = live_sessions.get_group(session_db, stored_id(live), group_id) or abort(404)
    user_id = parse_int(request.form.get("facilitator", ""), 0) or None
    try:
        live_sessions.assign_group_facilitator(session_db, group, user_id, actor_id=current_user.id)
    except live_sessions.LiveSessionError:
        message = _("Scegli uno dei facilitatori di questo incontro.")
        return render_session(live, meeting, 422, error=message)
    flash(_("Facilitatore del gruppo aggiornato."), "success")
    return redirect(url_for("live_sessions.live_session", session_id=live.id) + "#gruppi", 303)
