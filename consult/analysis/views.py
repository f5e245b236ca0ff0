"""Planners start theme analyses and follow them: progress, errors, run history."""

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from consult import db
from consult.accounts.auth import role_required
from consult.analysis import jobs as analysis_jobs
from consult.analysis import runs as analysis_runs
from consult.analysis import stored
from consult.analysis.rows import stored_id
from consult.analysis.view_helpers import PLANNER_ROLES
from consult.framework import phases
from consult.framework.context import current_consultation

bp = Blueprint("analysis", __name__, url_prefix="/pianificazione")


class StartAnalysisForm(FlaskForm):
    """Only the CSRF token: starting a run takes no options from the page."""


@bp.before_app_request
def sweep_once_after_start() -> None:
    """Fail runs left behind by a worker that died before this process started."""
    if current_app.extensions.get("consult.analysis_swept"):
        return
    current_app.extensions["consult.analysis_swept"] = True
    with db.standalone_session() as session:
        analysis_runs.sweep_stale(session, stale_after=current_app.config["ANALYSIS_STALE_SECONDS"])


@bp.get("/")
@role_required(*PLANNER_ROLES)
def index():
    return redirect(url_for("analysis.page"))


@bp.get("/analisi")
@role_required(*PLANNER_ROLES)
def page(form=None, error=None, status=200):
    consultation = current_consultation()
    session = db.session()
    stale_after = current_app.config["ANALYSIS_STALE_SECONDS"]
    consultation_id = stored_id(consultation)
    analysis_runs.sweep_stale(session, stale_after=stale_after, consultation_id=consultation_id)
    runs = analysis_runs.history(session, consultation_id)
    return render_template(
        "planning/analysis.html",
        form=form or StartAnalysisForm(),
        runs=runs,
        active=analysis_runs.active_run(session, consultation_id),
        starters=stored.starters(session, runs),
        error=error,
        duration=analysis_runs.duration_seconds,
    ), status


@bp.post("/analisi")
@role_required(*PLANNER_ROLES)
def start():
    form = StartAnalysisForm()
    if not form.validate_on_submit():
        return page(
            form=form,
            error=_("La richiesta non è valida: ricarica la pagina e riprova."),
            status=400,
        )
    consultation = current_consultation()
    session = db.session()
    if not phases.allows(session, stored_id(consultation), "analysis"):
        message = _("Nessuna fase in corso della consultazione prevede l'analisi dei temi.")
        return page(form=form, error=message, status=409)
    try:
        run = analysis_runs.start(
            session,
            consultation,
            current_user,
            stale_after=current_app.config["ANALYSIS_STALE_SECONDS"],
            params={"encoder": current_app.config["CONSULT_EMBEDDINGS"]},
        )
    except analysis_runs.AnalysisBusyError as busy:
        message = _(
            "Un'analisi è già in corso (n. %(id)s): attendi che finisca prima di avviarne "
            "un'altra.",
            id=busy.run.id,
        )
        return page(form=form, error=message, status=409)
    except analysis_runs.TooFewProposalsError as few:
        message = _(
            "Servono almeno %(min)s proposte pubblicate per individuare i temi (ora: %(n)s).",
            min=analysis_runs.MIN_PROPOSALS,
            n=few.count,
        )
        return page(form=form, error=message, status=422)
    # The job runs elsewhere and must see the run: it starts once the request commits.
    analysis_jobs.enqueue_after_commit(session, current_app._get_current_object(), stored_id(run))
    return redirect(url_for("analysis.page"), code=303)


@bp.get("/analisi/<int:run_id>/stato")
@role_required(*PLANNER_ROLES)
def status(run_id: int):
    """The self-replacing progress fragment htmx polls while the run is queued or running."""
    session = db.session()
    run = analysis_runs.read(
        session, run_id, stale_after=current_app.config["ANALYSIS_STALE_SECONDS"]
    )
    consultation = current_consultation()
    if run is None or run.consultation_id != consultation.id:
        abort(404)
    response = make_response(render_template("planning/_run_status.html", run=run))
    if request.headers.get("HX-Request") and run.status not in analysis_runs.ACTIVE_STATES:
        response.headers["HX-Trigger"] = "analysis-finished"
    return response
