"""The public site: home page presenting the consultation, language switch."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import format_date, format_datetime

from consult import db
from consult.common.models import utcnow
from consult.common.web import safe_next
from consult.extensions import page_language
from consult.framework import services as framework
from consult.framework.context import find_current
from consult.meetings import figures
from consult.meetings.services import stored_id

bp = Blueprint("public", __name__)


def layout_context() -> dict:
    """Values every page's layout needs."""
    return {
        "current_locale": page_language(),
        "languages": current_app.config["LANGUAGES"],
        "format_date": format_date,
        "format_datetime": format_datetime,
    }


@bp.get("/")
def home():
    consultation = find_current()
    if consultation is None:
        return render_template("public/empty.html"), 503
    session_db = db.session()
    consultation_id = stored_id(consultation)
    objectives = framework.objectives(session_db, consultation.framework_id)
    axes = framework.axes(session_db, consultation.framework_id)
    phases = framework.phases(session_db, consultation_id)
    stats = figures.public_figures(session_db, consultation_id)
    return render_template(
        "public/home.html",
        consultation=consultation,
        axes=axes,
        cross_cutting=[o for o in objectives if o.kind == "cross-cutting"],
        sectoral_by_axis={o.axis_number: o for o in objectives if o.kind == "sectoral"},
        phases=phases,
        stats=stats,
        today=utcnow().date(),
    )


@bp.post("/lingua")
def set_language():
    """Remember the chosen language in the session and go back where the user was."""
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = language
    return redirect(safe_next(request.form.get("next")))
