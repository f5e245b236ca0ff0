"""Read-only open-data JSON API under /api/v1/: nothing private (authors, e-mails, tokens)."""

from flask import Blueprint, abort, current_app, jsonify, request, url_for
from jinja2.utils import htmlsafe_json_dumps

from consult import db
from consult.common.web import MAX_ROW_ID
from consult.extensions import csrf
from consult.framework import consultations
from consult.framework import services as framework
from consult.framework.context import current_consultation
from consult.framework.models import objective_dict
from consult.meetings import figures
from consult.meetings.services import stored_id
from consult.proposals import search as proposal_search
from consult.proposals import services as proposals
from consult.proposals.forms import API_PARAMS, filter_args, parse_filters
from consult.proposals.public_data import contribution_dict

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _consultation():
    return current_consultation()


@bp.get("/")
def index():
    """The site's root of the API: the default consultation's links (as before several
    consultations), and every consultation with the root of its own API."""
    listed = [
        {
            "slug": item.slug,
            "title": item.title,
            "open": item.is_active,
            "consultation": url_for(".consultation", _consultation=item.slug, _external=True),
        }
        for item in consultations.listed(db.session())
    ]
    return jsonify(
        {
            "consultations": listed,
            "consultation": url_for(".consultation", _external=True),
            "objectives": url_for(".objectives", _external=True),
            "territories": url_for(".territories", _external=True),
            "contributions": url_for(".contributions", _external=True),
            "themes": url_for("api_accountability.themes", _external=True),
            "responses": url_for("api_accountability.responses", _external=True),
        }
    )


@bp.get("/consultation")
def consultation():
    item = _consultation()
    phases = framework.phases(db.session(), stored_id(item))
    axes = framework.axes(db.session(), item.framework_id)
    return jsonify(
        {
            "slug": item.slug,
            "title": item.title,
            "description": item.description,
            "phases": [
                {
                    "name": p.name,
                    "description": p.description,
                    "starts_on": p.starts_on.isoformat() if p.starts_on else None,
                    "ends_on": p.ends_on.isoformat() if p.ends_on else None,
                }
                for p in phases
            ],
            "axes": [{"number": a.number, "title": a.title} for a in axes],
            # the figures of the home page, /statistiche and the report (closed meetings count)
            "figures": figures.public_figures(db.session(), stored_id(item)).as_json(),
        }
    )


@bp.get("/objectives")
def objectives():
    item = _consultation()
    rows = framework.objectives(db.session(), item.framework_id)
    return jsonify({"objectives": [objective_dict(o) for o in rows]})


@bp.get("/territories")
def territories():
    rows = framework.territories_by_kind(db.session(), _consultation().framework_id)
    by_id = {t.id: t.code for t in rows}
    return jsonify(
        {
            "territories": [
                {"code": t.code, "name": t.name, "kind": t.kind, "parent": by_id.get(t.parent_id)}
                for t in rows
            ]
        }
    )


@bp.get("/contributions")
def contributions():
    """Published proposals with support counts, filtered like the list at /proposte."""
    item = _consultation()
    page = _positive_int("page", 1)
    per_page = min(_positive_int("per_page", current_app.config["API_PAGE_SIZE"]), 200)
    try:
        filters = parse_filters(request.args, API_PARAMS)
    except ValueError:
        abort(400, description="'meeting' must be a meeting id")
    # Only the named filters travel into the next links (never `_external`, `endpoint`...).
    next_args = filter_args(request.args, API_PARAMS)
    if "after" in request.args or (page == 1 and filters.sort == "recenti"):
        return _keyset_page(item, filters, per_page, next_args)
    results = proposal_search.search(db.session(), item, filters, page=page, per_page=per_page)
    return _html_safe_json(
        {
            "page": page,
            "per_page": per_page,
            "total": results.total,
            "items": _items(results.items, results.supports),
            "next": url_for(
                ".contributions", page=page + 1, per_page=per_page, **next_args, _external=True
            )
            if results.has_next
            else None,
        }
    )


def _keyset_page(item, filters, per_page: int, next_args: dict):
    """Newest first from a cursor (`after`, given by the previous page's `next_after`).

    The first page is also answered this way, and says where the next keyset page starts;
    its `next` stays the page-numbered link.
    """
    raw = request.args.get("after")
    if raw is not None and filters.sort != "recenti":
        abort(400, description="'after' pages only the newest-first order")
    try:
        cursor = proposal_search.Cursor.parse(raw) if raw else None
    except ValueError:
        abort(400, description="'after' must be a cursor given by a previous page")
    results = proposal_search.search_after(
        db.session(), item, filters, after=cursor, per_page=per_page
    )
    following = results.next_cursor
    payload = {
        "per_page": per_page,
        "total": results.total,
        "items": _items(results.items, results.supports),
        "next_after": url_for(
            ".contributions",
            after=following.token(),
            per_page=per_page,
            **next_args,
            _external=True,
        )
        if following
        else None,
    }
    if raw is None:
        payload["page"] = 1
        payload["next"] = (
            url_for(".contributions", page=2, per_page=per_page, **next_args, _external=True)
            if following
            else None
        )
    else:
        payload["next"] = payload["next_after"]
    return _html_safe_json(payload)


def _items(items, supports: dict[int, int]) -> list[dict]:
    return [
        contribution_dict(db.session(), c, supports=supports.get(stored_id(c), 0)) for c in items
    ]


@bp.get("/contributions/<int:contribution_id>")
def contribution(contribution_id: int):
    """One published proposal; anything unpublished does not exist here."""
    item = proposals.public_proposal(db.session(), stored_id(_consultation()), contribution_id)
    if item is None:
        abort(404)
    return _html_safe_json(contribution_dict(db.session(), item))


def _html_safe_json(payload):
    """JSON whose strings escape <, >, & and ' (as \\u003c...): what people wrote stays inert."""
    return current_app.response_class(
        str(htmlsafe_json_dumps(payload, sort_keys=True)) + "\n", mimetype="application/json"
    )


def _positive_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_ROW_ID:  # a larger page would overflow the database's OFFSET
        abort(400, description=f"'{name}' must be an integer from 1 to {MAX_ROW_ID}")
    return value
