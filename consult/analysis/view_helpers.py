"""What the planners' pages share: the consultation, its current run, a theme by stable key."""

from flask import abort

from consult import db
from consult.analysis import assignment, stored
from consult.analysis.models import AnalysisRun, Theme
from consult.analysis.rows import stored_id
from consult.framework.models import Consultation, Objective

PLANNER_ROLES = ("planner",)  # admins always pass role_required


def current_run(consultation: Consultation) -> AnalysisRun | None:
    return assignment.current_run(db.session(), stored_id(consultation))


def theme_or_404(consultation: Consultation, stable_key: str) -> Theme:
    """The theme with this key in the current run (edits apply to what planners see)."""
    run = current_run(consultation)
    theme = stored.theme_by_key(db.session(), stored_id(run), stable_key) if run else None
    if theme is None:
        abort(404)
    return theme


def objectives_of(consultation: Consultation) -> list[Objective]:
    return stored.objectives(db.session(), consultation.framework_id)
