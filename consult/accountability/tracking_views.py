"""The author's private pages: the receipt and the tracking page of one proposal."""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    request_finished,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import db
from consult.accountability import answers, tracking
from consult.accountability.forms import AttachForm
from consult.framework.context import current_consultation, require_here, slug_of
from consult.proposals import services as proposals

bp = Blueprint("tracking", __name__)


def _private(html: str):
    """The token in the address must never leak through referrers, search engines or caches."""
    response = make_response(html)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    g.private_page = True
    return response


def _no_referrer(_app, response, **_extra) -> None:
    """Set after Talisman, whose after_request would overwrite the policy for every page."""
    if g.get("private_page"):
        response.headers["Referrer-Policy"] = "no-referrer"


def _connect_no_referrer(state: BlueprintSetupState) -> None:
    request_finished.connect(_no_referrer, state.app)


bp.record_once(_connect_no_referrer)


@bp.app_template_global()
def proposal_outcome(contribution) -> tracking.Journey:
    """For a public proposal page: its themes, objectives and the answers that concern it."""
    return tracking.journey(db.session(), contribution)


@bp.app_template_global()
def answered_among(contributions) -> set[int]:
    """For a list of proposal cards: the ids a published answer concerns (the badge)."""
    return answers.answered_ids(db.session(), list(contributions))


def _contribution(token: str):
    contribution = proposals.by_tracking_token(db.session(), token)
    if contribution is None:
        abort(404)
    if contribution.consultation_id != current_consultation().id and request.method == "GET":
        # links mailed by background jobs carry the default consultation's prefix
        home = slug_of(contribution.consultation_id)
        abort(redirect(url_for(request.endpoint or "", token=token, _consultation=home)))
    require_here(contribution.consultation_id)
    return contribution


@bp.get("/traccia/<token>")
def track(token: str):
    """The journey of a proposal: received, moderated, themed, mapped, answered."""
    contribution = _contribution(token)
    session = db.session()
    return _private(
        render_template(
            "proposals/track.html",
            journey=tracking.journey(session, contribution),
            territory=proposals.territory_by_id(session, contribution.territory_id),
            suggested=proposals.objective_by_id(session, contribution.suggested_objective_id),
            attach_form=AttachForm(formdata=None),
        )
    )


@bp.get("/traccia/<token>/ricevuta")
def receipt(token: str):
    """Shown right after submitting: the private link to keep."""
    contribution = _contribution(token)
    return _private(
        render_template(
            "proposals/receipt.html",
            contribution=contribution,
            live=tracking.open_live_session(db.session(), contribution),
            tracking_url=url_for(".track", token=token, _external=True),
        )
    )


@bp.post("/traccia/<token>/collega")
@login_required
def attach(token: str):
    """The tracking link proves the proposal is the visitor's: it joins their account's data."""
    contribution = _contribution(token)
    if not AttachForm().validate_on_submit():
        abort(400)
    if tracking.attach_to_account(db.session(), contribution, current_user.id):
        flash(_("La proposta ora fa parte dei dati del tuo account."), "success")
    else:
        flash(_("Questa proposta appartiene già a un altro account."), "error")
    return redirect(url_for(".track", token=token), 303)
