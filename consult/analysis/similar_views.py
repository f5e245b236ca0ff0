"""'Proposte simili': published proposals saying what a participant is typing."""

from flask import Blueprint, current_app, render_template, request

from consult import db
from consult.analysis.similarity import similar_contributions
from consult.common.forms import clean_text
from consult.extensions import limiter
from consult.framework.context import current_consultation
from consult.proposals.search import support_counts

bp = Blueprint("similar", __name__)


@bp.get("/proposte/simili")
@limiter.limit("120 per minute")
def similar():
    """Published proposals saying the same thing as the text being typed."""
    consultation = current_consultation()
    typed = (clean_text(request.args.get("text")) or "")[:2000]
    items = similar_contributions(
        db.session(),
        consultation_id=consultation.id or 0,
        text=typed,
        limit=3,
        encoder=current_app.config["CONSULT_EMBEDDINGS"],
    )
    counts = support_counts(db.session(), [item.contribution.id for item in items])
    response = current_app.make_response(
        render_template("proposals/_similar.html", items=items, supports=counts)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
