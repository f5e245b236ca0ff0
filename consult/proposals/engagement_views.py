"""Supporting, commenting and reporting published proposals (htmx fragments or redirects)."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from consult import db
from consult.extensions import SMALL_FORM_LIMITS, limiter
from consult.framework.context import current_consultation
from consult.proposals import engagement, report_views
from consult.proposals import services as proposals
from consult.proposals.browse_views import render_detail
from consult.proposals.engagement import SupportOutcome
from consult.proposals.forms import CommentForm, ReportForm
from consult.proposals.models import Comment
from consult.proposals.participant import anonymous_allowance, current_participant, remember_browser
from consult.proposals.views import FORM_BODY_LIMIT

bp = Blueprint("engagement", __name__)
SMALL_FORM_LIMITS[bp.name] = FORM_BODY_LIMIT
bp.after_request(remember_browser)
# The facilitators' queue of reports, nested so its endpoints read "engagement.reports.*".
bp.register_blueprint(report_views.bp)


def _published(contribution_id: int):
    consultation = current_consultation()
    contribution = proposals.public_proposal(db.session(), consultation.id or 0, contribution_id)
    if contribution is None:
        abort(404)
    return contribution


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _support_messages() -> dict[SupportOutcome, tuple[str, str]]:
    return {
        SupportOutcome.ADDED: (_("Grazie: hai sostenuto questa proposta."), "success"),
        SupportOutcome.ALREADY: (_("Sostieni già questa proposta."), "info"),
        SupportOutcome.BOUNDED: (
            _(
                "Da questa connessione sono già arrivati molti sostegni anonimi: "
                "accedi per sostenere la proposta."
            ),
            "warning",
        ),
    }


@bp.post("/proposte/<int:contribution_id>/sostieni")
@limiter.limit("30 per minute;300 per hour")
def support(contribution_id: int):
    """Add this person's support, once; answer with the updated support box."""
    contribution = _published(contribution_id)
    who = current_participant()
    outcome = engagement.support(
        db.session(),
        contribution,
        who,
        anonymous_allowed=lambda: anonymous_allowance("support", who, contribution_id),
    )
    message, category = _support_messages()[outcome]
    if not _is_htmx():
        flash(message, category)
        return redirect(
            url_for("browse.detail", contribution_id=contribution_id, _anchor="sostegno")
        )
    return render_template(
        "proposals/_support.html",
        contribution=contribution,
        tally=engagement.support_tally(db.session(), contribution.id),
        supported=outcome is not SupportOutcome.BOUNDED,
        message=message,
    )


@bp.post("/proposte/<int:contribution_id>/commenti")
@limiter.limit("10 per minute;60 per hour")
def comment(contribution_id: int):
    contribution = _published(contribution_id)
    form = CommentForm()
    if not form.validate():
        return render_detail(contribution, comment_form=form, status=422)
    who = current_participant()
    engagement.add_comment(
        db.session(), contribution, form.text.data or "", author_name=form.name.data, who=who
    )
    flash(_("Commento pubblicato."), "success")
    return redirect(url_for("browse.detail", contribution_id=contribution_id, _anchor="commenti"))


@bp.post("/proposte/<int:contribution_id>/segnala")
@limiter.limit("10 per minute;50 per hour")
def report_proposal(contribution_id: int):
    contribution = _published(contribution_id)
    return _report(contribution, contribution_id)


@bp.post("/commenti/<int:comment_id>/segnala")
@limiter.limit("10 per minute;50 per hour")
def report_comment(comment_id: int):
    item = engagement.published_comment(db.session(), comment_id)
    if item is None:
        abort(404)
    _published(item.contribution_id)
    return _report(item, item.contribution_id)


def report_policy() -> engagement.ReportPolicy:
    """`ABUSE_REPORT_THRESHOLD` (default 3) account reports hide an item; each anonymous report
    weighs `ABUSE_REPORT_ANONYMOUS_WEIGHT` of one (default 0: anonymous reports only queue the
    item for the facilitators, see engagement.ReportPolicy)."""
    config = current_app.config
    return engagement.ReportPolicy(
        threshold=int(config.get("ABUSE_REPORT_THRESHOLD", 3)),
        anonymous_weight=float(config.get("ABUSE_REPORT_ANONYMOUS_WEIGHT", 0.0)),
    )


def _report(target, contribution_id: int):
    """Record the report: anonymous ones queue the item, enough weight hides it."""
    form = ReportForm()
    if not form.validate():
        abort(422)
    who = current_participant()
    if who.user_id is None and not anonymous_allowance("report", who):
        flash(
            _(
                "Da questa connessione sono già arrivate molte segnalazioni: "
                "accedi per inviarne altre."
            ),
            "warning",
        )
        return redirect(url_for("browse.detail", contribution_id=contribution_id))
    outcome = engagement.report(
        db.session(), target, reason=form.reason_text(), who=who, policy=report_policy()
    )
    if outcome.hidden:
        flash(
            _("Grazie della segnalazione: il contenuto è nascosto in attesa di verifica."), "info"
        )
    elif outcome.recorded:
        flash(_("Grazie della segnalazione: la verificheranno i facilitatori."), "info")
    else:
        flash(_("Hai già segnalato questo contenuto."), "info")
    if isinstance(target, Comment) or not outcome.hidden:
        return redirect(url_for("browse.detail", contribution_id=contribution_id))
    return redirect(url_for("browse.index"))
