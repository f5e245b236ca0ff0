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
from flask_babel import format_date, format_datetime, get_locale
from sqlmodel import func, select

from consult import db
from consult.common.web import safe_next
from consult.framework.context import find_current
from consult.framework.models import Axis, Objective, Phase
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution

bp = Blueprint("public", __name__)


def layout_context() -> dict:
    """Values every page's layout needs."""
    return {
        "current_locale": str(get_locale()),
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
    objectives = session_db.exec(
        select(Objective)
        .where(Objective.framework_id == consultation.framework_id)
        .order_by(Objective.position)
    ).all()
    axes = session_db.exec(
        select(Axis).where(Axis.framework_id == consultation.framework_id).order_by(Axis.number)
    ).all()
    phases = session_db.exec(
        select(Phase).where(Phase.consultation_id == consultation.id).order_by(Phase.position)
    ).all()
    stats = {
        "contributions": session_db.exec(
            select(func.count())
            .select_from(Contribution)
            .where(
                Contribution.consultation_id == consultation.id,
                Contribution.status == "published",
            )
        ).one(),
        "meetings": session_db.exec(
            select(func.count())
            .select_from(Meeting)
            .where(Meeting.consultation_id == consultation.id)
        ).one(),
    }
    return render_template(
        "public/home.html",
        consultation=consultation,
        axes=axes,
        cross_cutting=[o for o in objectives if o.kind == "cross-cutting"],
        sectoral_by_axis={o.axis_number: o for o in objectives if o.kind == "sectoral"},
        phases=phases,
        stats=stats,
    )


@bp.post("/lingua")
def set_language():
    """Remember the chosen language in the session and go back where the user was."""
    language = request.form.get("lang", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = language
    return redirect(safe_next(request.form.get("next")))
