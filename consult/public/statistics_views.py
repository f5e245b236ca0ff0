"""Public statistics of the consultation: meetings held, people met, proposals by channel."""

from flask import Blueprint, render_template
from flask_babel import format_decimal

from consult import db
from consult.framework.context import current_consultation
from consult.meetings import figures

bp = Blueprint("statistics", __name__)


@bp.get("/statistiche")
def index():
    consultation = current_consultation(missing=503)
    stats = figures.public_figures(db.session(), consultation.id or 0)
    return render_template(
        "statistics/index.html",
        consultation=consultation,
        stats=stats,
        km=format_decimal(stats.km_travelled, format="#,##0.#"),
    )
