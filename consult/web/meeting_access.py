"""Who may work on a meeting's items: its facilitators and admins (planners read exports)."""

from flask import abort
from flask_login import current_user

from .. import db
from ..models import Meeting, MeetingFacilitator


def staff_meeting(meeting_id: int, *, planners: bool = False) -> Meeting:
    """The meeting if the logged-in user may work on it, else 403 (404 when it does not exist)."""
    if not current_user.has_role(*(("facilitator", "planner") if planners else ("facilitator",))):
        abort(403)
    meeting = db.session().get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    if can_enter(meeting) or (planners and current_user.role == "planner"):
        return meeting
    abort(403)


def can_enter(meeting: Meeting) -> bool:
    """Whether the current user may enter and import for `meeting` (templates show links)."""
    if current_user.role == "admin":
        return True
    if current_user.role != "facilitator":
        return False
    return db.session().get(MeetingFacilitator, (meeting.id, current_user.id)) is not None
