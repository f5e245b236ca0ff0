"""What the planners' pages share: the consultation, its current run, a theme by stable key."""

from flask import abort, current_app
from sqlmodel import select

from .. import db
from ..models import AnalysisRun, Consultation, Objective, Theme
from ..services import analysis_runs, consultations

PLANNER_ROLES = ("planner",)  # admins always pass role_required


def consultation_or_404() -> Consultation:
    consultation = consultations.current(db.session(), current_app.config["CONSULTATION_SLUG"])
    if consultation is None:
        abort(404)
    return consultation


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
