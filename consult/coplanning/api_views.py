"""Open-data API of the strategy's public versions (shares /api/v1/ with the api feature)."""

from flask import Blueprint, abort, jsonify

from consult import db
from consult.coplanning import open_data, versions
from consult.extensions import csrf
from consult.framework.context import current_consultation

bp = Blueprint("api_strategy", __name__, url_prefix="/api/v1/strategy")
csrf.exempt(bp)


@bp.get("/versions")
def versions_index():
    consultation = current_consultation()
    found = versions.public_versions(db.session(), consultation.id or 0)
    return jsonify({"versions": [open_data.version_summary(v) for v in found]})


@bp.get("/versions/<int:number>")
def version(number: int):
    consultation = current_consultation()
    session = db.session()
    found = versions.public_version(session, consultation.id or 0, number) or abort(404)
    return jsonify({"version": open_data.version_detail(session, found)})
