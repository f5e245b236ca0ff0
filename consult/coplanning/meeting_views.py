"""A meeting's facilitator records what the meeting said about a section of the strategy."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult import db
from consult.accounts.auth import role_required
from consult.coplanning import inputs, versions
from consult.coplanning.forms import MeetingCommentForm
from consult.meetings.access import managed_meeting

bp = Blueprint("strategy_meetings", __name__, url_prefix="/facilitatore/incontri")


@bp.route("/<int:meeting_id>/strategia", methods=["GET", "POST"])
@role_required("facilitator")
def comment(meeting_id: int):
    meeting = managed_meeting(meeting_id)
    session = db.session()
    open_version = versions.open_version(session, meeting.consultation_id)
    sections = versions.sections(session, open_version.id or 0) if open_version else []
    form = MeetingCommentForm()
    form.section.choices = [SelectChoice(s.id, s.title) for s in sections]
    if form.validate_on_submit():
        section = next(s for s in sections if s.id == form.section.data)
        inputs.record_meeting_comment(
            session, section, meeting, text=form.text.data, actor_id=current_user.id
        )
        flash(_("Commento dell'incontro registrato."), "success")
        return redirect(url_for(".comment", meeting_id=meeting.id), code=303)
    page = render_template(
        "coplanning/meeting_comment.html", form=form, meeting=meeting, version=open_version
    )
    return page, 422 if form.is_submitted() else 200
