"""Public page per objective: what people said and what the region answered."""

from flask import Blueprint, abort, current_app, render_template
from flask_babel import gettext as _

from consult import db
from consult.accountability.responses import responses_for_objective
from consult.analysis.open_themes import representative_proposals, themes_for_objective
from consult.framework import services as framework
from consult.framework.context import current_consultation
from consult.framework.labels import CHANNEL_LABELS
from consult.framework.models import OFF_STRATEGY_CODE
from consult.meetings.services import stored_id
from consult.planning.coverage import UNMAPPED_CODE, build_matrices

bp = Blueprint("objectives", __name__, url_prefix="/obiettivi")


@bp.get("/<code>")
def detail(code: str):
    consultation = current_consultation()
    consultation_id = stored_id(consultation)
    session = db.session()
    objective = None
    if code != OFF_STRATEGY_CODE:
        objective = framework.objective_by_code(session, consultation.framework_id, code)
        if objective is None:
            abort(404)
    objective_id = stored_id(objective) if objective else None
    threshold = current_app.config["OBJECTIVE_THRESHOLD"]
    row_code = objective.code if objective else OFF_STRATEGY_CODE
    matrices = build_matrices(
        session,
        consultation,
        threshold=threshold,
        no_territory_label=_("Territorio non indicato"),
        only_row=row_code,
    )
    by_territory, by_channel = matrices["territory"], matrices["channel"]
    themes = themes_for_objective(session, consultation_id, objective_id, threshold=threshold)
    return render_template(
        "objectives/detail.html",
        objective=objective,
        total=next(r.total for r in by_territory.rows if r.code == row_code),
        territory_counts=_counts(by_territory, row_code),
        channel_counts=[
            (str(CHANNEL_LABELS.get(label, label)), n) for label, n in _counts(by_channel, row_code)
        ],
        themes=[(t, c, representative_proposals(session, t)) for t, c in themes],
        responses=responses_for_objective(
            session, consultation_id, objective_id, [t.stable_key for t, _c in themes]
        ),
        unmapped_code=UNMAPPED_CODE,
    )


def _counts(matrix, row_code: str) -> list[tuple[str, int]]:
    """One matrix row as (column label, count), non-empty columns only, largest first."""
    pairs = [
        (c.label if matrix.dimension == "territory" else c.code, matrix.count(row_code, c.code))
        for c in matrix.columns
    ]
    return sorted((p for p in pairs if p[1]), key=lambda p: -p[1])
