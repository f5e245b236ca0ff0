"""What the planners' pages share: the consultation, its current run, a theme by stable key."""

from flask import abort
from sqlmodel import select

from consult import db
from consult.analysis import runs as analysis_runs
from consult.analysis.models import AnalysisRun, Theme
from consult.framework.models import Consultation, Objective

PLANNER_ROLES = ("planner",)  # admins always pass role_required


def current_run(consultation: Consultation) -> AnalysisRun | None:
    return analysis_runs.current_run(db.session(), consultation.id)


def theme_or_404(consultation: Consultation, stable_key: str) -> Theme:
    """The theme with this key in the current run (edits apply to what planners see)."""
    run = current_run(consultation)
    if run is None:
        abort(404)
    theme = (
        db.session()
        .exec(select(Theme).where(Theme.run_id == run.id, Theme.stable_key == stable_key))
        .first()
    )
    if theme is None:
        abort(404)
    return theme


def objectives_of(consultation: Consultation) -> list[Objective]:
    return list(
        db.session()
        .exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(Objective.position)
        )
        .all()
    )
