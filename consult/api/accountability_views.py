"""Open-data API for themes, objectives' figures and the region's published responses.

Shares /api/v1/ with `api.py`; nothing private (authors, e-mails, tracking tokens) ever appears.
"""

from flask import Blueprint, abort, current_app, jsonify

from consult import db
from consult.accountability.responses import (
    public_responses,
    response_dict,
    responses_for_objective,
)
from consult.analysis.open_themes import theme_dicts, themes_for_objective, visible_themes
from consult.extensions import csrf
from consult.framework import services as framework
from consult.framework.context import current_consultation
from consult.framework.models import OFF_STRATEGY_CODE, objective_dict
from consult.meetings.services import stored_id
from consult.planning.coverage import build_matrices

bp = Blueprint("api_accountability", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.get("/themes")
def themes():
    consultation = current_consultation()
    session = db.session()
    items = visible_themes(session, stored_id(consultation))
    return jsonify(
        {"themes": theme_dicts(session, items, threshold=current_app.config["OBJECTIVE_THRESHOLD"])}
    )


@bp.get("/responses")
def responses():
    consultation = current_consultation()
    session = db.session()
    items = public_responses(session, stored_id(consultation))
    return jsonify({"responses": [response_dict(session, r) for r in items]})


@bp.get("/objectives/<code>")
def objective(code: str):
    """One objective (or fuori-strategia) with its proposal counts, themes and responses."""
    consultation = current_consultation()
    consultation_id = stored_id(consultation)
    session = db.session()
    item = framework.objective_by_code(session, consultation.framework_id, code)
    if item is None and code != OFF_STRATEGY_CODE:
        abort(404)
    objective_id = stored_id(item) if item else None
    threshold = current_app.config["OBJECTIVE_THRESHOLD"]
    matrices = build_matrices(session, consultation, threshold=threshold, only_row=code)
    by_territory, by_channel = matrices["territory"], matrices["channel"]
    row = next(r for r in by_territory.rows if r.code == code)
    themes = [
        t
        for t, _c in themes_for_objective(
            session, consultation_id, objective_id, threshold=threshold
        )
    ]
    answers = responses_for_objective(
        session, consultation_id, objective_id, [t.stable_key for t in themes]
    )
    return jsonify(
        {
            "objective": objective_dict(item) if item else {"code": OFF_STRATEGY_CODE},
            "counts": {
                "total": row.total,
                "by_territory": _row(by_territory, code),
                "by_channel": _row(by_channel, code),
            },
            "themes": theme_dicts(session, themes, threshold=threshold),
            "responses": [response_dict(session, r) for r in answers],
        }
    )


def _row(matrix, code: str) -> dict[str, int]:
    return {c.code: matrix.count(code, c.code) for c in matrix.columns}
