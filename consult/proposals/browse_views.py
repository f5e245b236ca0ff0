"""Browsing published proposals: search, filters, sorting, pages and one page per proposal."""

from flask import Blueprint, abort, make_response, render_template, request

from consult import db
from consult.common.numbers import parse_int
from consult.framework.context import current_consultation
from consult.proposals import engagement
from consult.proposals import search as proposal_search
from consult.proposals import services as proposals
from consult.proposals.forms import (
    LIST_PARAMS,
    CommentForm,
    ReportForm,
    filter_args,
    parse_filters,
)
from consult.proposals.participant import known_participant

bp = Blueprint("browse", __name__)
PER_PAGE = 20


@bp.get("/proposte")
def index():
    consultation = current_consultation()
    try:
        filters = parse_filters(request.args, LIST_PARAMS)
    except ValueError:
        filters = parse_filters({**request.args, "incontro": ""}, LIST_PARAMS)
    page_number = parse_int(request.args.get("pagina"), 1)
    results = proposal_search.search(
        db.session(), consultation, filters, page=page_number, per_page=PER_PAGE
    )
    fragment = bool(request.headers.get("HX-Request"))
    template = "proposals/_results.html" if fragment else "proposals/list.html"
    response = make_response(
        render_template(
            template,
            filters=filters,
            results=results,
            options=proposal_search.filter_options(db.session(), consultation),
            query_args=filter_args(request.args, LIST_PARAMS),
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.get("/proposte/<int:contribution_id>")
def detail(contribution_id: int):
    """A published proposal with its supports and comments; anything else is not public."""
    session = db.session()
    consultation = current_consultation()
    contribution = proposals.public_proposal(session, consultation.id or 0, contribution_id)
    if contribution is None:
        abort(404)
    return render_detail(contribution)


def render_detail(contribution, comment_form=None, status: int = 200):
    """The detail page; the comment form may come back with errors (422)."""
    session = db.session()
    return render_template(
        "proposals/detail.html",
        contribution=contribution,
        territory=proposals.territory_by_id(session, contribution.territory_id),
        suggested=proposals.objective_by_id(session, contribution.suggested_objective_id),
        tally=engagement.support_tally(session, contribution.id),
        supported=engagement.has_supported(session, contribution.id, known_participant()),
        comments=engagement.published_comments(session, contribution.id),
        comment_form=comment_form or CommentForm(formdata=None),
        report_form=ReportForm(formdata=None),
    ), status
