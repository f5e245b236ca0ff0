"""Who may work on a meeting: the one web-side check, on top of `meetings.can_manage`.

A meeting's own facilitators and admins run it, enter and import for it, and moderate and
project its live sessions; planners may also read its exports (``planners=True``).
"""

from flask import abort
from flask_login import current_user

from consult import db
from consult.framework.context import require_here
from consult.meetings import services as meetings
from consult.meetings.models import LiveSession, Meeting


def managed_meeting(meeting_id: int, *, planners: bool = False) -> Meeting:
    """The meeting if the logged-in user may work on it: 404 when missing, else 403."""
    allowed_roles = ("facilitator", "planner") if planners else ("facilitator",)
    if not current_user.has_role(*allowed_roles):
        abort(403)
    meeting = meetings.get_meeting(db.session(), meeting_id) or abort(404)
    require_here(meeting.consultation_id)
    if may_manage(meeting) or (planners and current_user.role == "planner"):
        return meeting
    abort(403)


def managed_session(session_id: int) -> tuple[LiveSession, Meeting]:
    """A live session and its meeting, if the logged-in user runs that meeting."""
    live = meetings.get_live_session(db.session(), session_id) or abort(404)
    return live, managed_meeting(live.meeting_id)


def may_manage(meeting: Meeting) -> bool:
    """Whether the logged-in user runs `meeting` (templates show the links accordingly)."""
    return meetings.can_manage(db.session(), current_user, meeting)
