"""Fast entry of proposals said in a meeting room or written on paper, and the tools page."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from consult import db
from consult.framework import phases
from consult.framework.context import participation_closed
from consult.meetings import entry as meeting_entry
from consult.meetings import services as meetings
from consult.meetings.access import managed_meeting, may_manage
from consult.meetings.entry_forms import ROLE_LABELS, EntryForm, new_key
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution

bp = Blueprint("entry", __name__, url_prefix="/facilitatore/incontri")


@bp.get("/<int:meeting_id>/strumenti")
@login_required
def tools(meeting_id: int):
    """Entry point to fast entry, import and export until the meeting pages link them."""
    meeting = managed_meeting(meeting_id, planners=True)
    sessions = meetings.live_sessions(db.session(), meetings.stored_id(meeting), newest_first=False)
    return render_template(
        "entry/tools.html", meeting=meeting, sessions=sessions, can_enter=may_manage(meeting)
    )


@bp.route("/<int:meeting_id>/inserimento", methods=["GET", "POST"])
@login_required
def fast_entry(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    session = db.session()
    if not phases.allows(session, meeting.consultation_id, "proposals"):
        return participation_closed()
    form = EntryForm()
    form.fill_choices(session, meeting)
    if not form.is_submitted():
        _prefill(form, meeting)
    elif form.validate():
        contribution, created = meeting_entry.enter(
            session,
            meeting,
            form.entry(),
            actor_id=current_user.id,
            idempotency_key=form.idempotency_key.data,
        )
        return _after_save(meeting, form, contribution, created)
    status = 422 if form.is_submitted() else 200
    if request.headers.get("HX-Request") and form.is_submitted():
        return _form_fragment(meeting, form), status
    return _page(meeting, form), status, {"Vary": "HX-Request"}


def _prefill(form: EntryForm, meeting: Meeting) -> None:
    """A blank form: the sticky channel and territory, else the meeting's territory."""
    channel = request.args.get("canale", "meeting")
    form.channel.data = channel if channel in meeting_entry.ENTRY_CHANNELS else "meeting"
    territory = request.args.get("territorio") or (
        str(meeting.territory_id) if meeting.territory_id else ""
    )
    valid = {choice.value for choice in form.territory.choices}
    form.territory.data = territory if territory in valid else ""
    form.idempotency_key.data = new_key()


def _after_save(meeting: Meeting, form: EntryForm, contribution: Contribution, created: bool):
    sticky = {"canale": form.channel.data, "territorio": form.territory.data or ""}
    message = (
        _("Proposta n. %(id)s salvata.", id=contribution.id)
        if created
        else _("Questa proposta era già stata salvata (n. %(id)s).", id=contribution.id)
    )
    if not request.headers.get("HX-Request"):
        flash(message, "success")
        return redirect(url_for("entry.fast_entry", meeting_id=meeting.id, **sticky))
    blank = EntryForm(formdata=None)
    blank.fill_choices(db.session(), meeting)
    blank.channel.data, blank.territory.data = sticky["canale"], sticky["territorio"]
    blank.idempotency_key.data = new_key()
    fragment = _form_fragment(meeting, blank, saved_message=message)
    if created:
        fragment += render_template(
            "entry/_entry_item.html",
            item=contribution,
            meeting=meeting,
            undoable=True,
            role_labels=ROLE_LABELS,
            oob=True,
        )
    return Markup(fragment)


def _form_fragment(meeting: Meeting, form: EntryForm, saved_message: str | None = None) -> str:
    return render_template(
        "entry/_form.html", meeting=meeting, form=form, saved_message=saved_message
    )


def _page(meeting: Meeting, form: EntryForm) -> str:
    entries = meeting_entry.recent_entries(db.session(), meetings.stored_id(meeting))
    undoable = {
        c.id
        for c in entries
        if meeting_entry.can_undo(
            c, actor_id=current_user.id, is_admin=current_user.role == "admin"
        )
    }
    return render_template(
        "entry/fast_entry.html",
        meeting=meeting,
        form=form,
        entries=entries,
        undoable=undoable,
        role_labels=ROLE_LABELS,
    )


@bp.post("/<int:meeting_id>/inserimento/<int:contribution_id>/annulla")
@login_required
def undo(meeting_id: int, contribution_id: int):
    """Take back a just-entered item (a typo, the wrong form): deleted, with an audit entry."""
    meeting = managed_meeting(meeting_id)
    session = db.session()
    contribution = meeting_entry.meeting_entry(
        session, meetings.stored_id(meeting), contribution_id
    )
    if contribution is None:
        abort(404)
    allowed = meeting_entry.can_undo(
        contribution, actor_id=current_user.id, is_admin=current_user.role == "admin"
    )
    if not allowed or meeting_entry.is_referenced(session, contribution_id):
        return _undo_refused(meeting, contribution)
    meeting_entry.undo(session, contribution, actor_id=current_user.id)
    message = _("Proposta n. %(id)s eliminata.", id=contribution_id)
    if request.headers.get("HX-Request"):  # the item goes; the form's status says so
        return render_template("entry/_undone.html", message=message)
    flash(message, "success")
    return redirect(url_for("entry.fast_entry", meeting_id=meeting.id))


def _undo_refused(meeting: Meeting, contribution: Contribution):
    message = _(
        "Non si può più annullare: si annullano solo le proposte inserite da te negli ultimi "
        "30 minuti e non ancora sostenute o commentate. Chiedi alla moderazione di nasconderla."
    )
    if request.headers.get("HX-Request"):  # the item stays, with the reason next to it
        return render_template(
            "entry/_entry_item.html",
            item=contribution,
            meeting=meeting,
            undoable=False,
            role_labels=ROLE_LABELS,
            refused_message=message,
        )
    flash(message, "error")
    return redirect(url_for("entry.fast_entry", meeting_id=meeting.id), 303)
