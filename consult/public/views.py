"""The public site: the list of consultations, each one's home page, language switch."""

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
from consult.framework import consultations
from consult.framework import services as framework
from consult.framework.context import current_consultation, requested_slug
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
    """Inside ``/c/<slug>/`` the consultation's home; at the site's root, its consultations."""
    if requested_slug() is None:
        return site_home()
    consultation = current_consultation()
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


def site_home():
    listed = consultations.listed(db.session())
    if not listed:
        return render_template("public/empty.html"), 503
    return render_template(
        "public/consultations.html",
        open_consultations=[c for c in listed if c.is_active],
        past_consultations=[c for c in listed if not c.is_active],
    )


@bp.post("/lingua")
def set_language():
    """Remember the chosen language in the session and go back where the user was."""
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = language
    return redirect(safe_next(request.form.get("next")))
