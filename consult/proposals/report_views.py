"""The facilitators' queue of reported proposals and comments (nested in `engagement`)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import db
from consult.extensions import login_manager
from consult.framework.context import current_consultation
from consult.proposals import report_queue

bp = Blueprint("reports", __name__, url_prefix="/facilitatore/segnalazioni")
MODERATOR_ROLES = ("facilitator",)  # admins always pass has_role


@bp.before_request
def moderators_only():
    """Facilitators and admins only; anyone else logs in first or is refused."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.has_role(*MODERATOR_ROLES):
        abort(403)
    return None


@bp.get("")
def queue():
    consultation = current_consultation()
    items = report_queue.reported_items(db.session(), consultation.id or 0)
    return render_template("proposals/reports.html", items=items)


@bp.post("/proposte/<int:contribution_id>")
def decide_proposal(contribution_id: int):
    return _decide("proposta", contribution_id)


@bp.post("/commenti/<int:comment_id>")
def decide_comment(comment_id: int):
    return _decide("commento", comment_id)


def _decide(kind: str, item_id: int):
    """Hide the item or keep it published; either way its open reports are closed."""
    decision = request.form.get("decisione", "")
    if decision not in report_queue.DECISIONS:
        flash(_("Scegli se nascondere il contenuto o lasciarlo pubblicato."), "danger")
        return redirect(url_for(".queue"))
    session = db.session()
    target = report_queue.reported_target(session, kind, item_id, current_consultation().id or 0)
    if target is None:
        abort(404)
    if not report_queue.decide(session, target, decision=decision, actor_id=current_user.id):
        flash(_("Questo contenuto non è più pubblicato né nascosto: nulla da decidere."), "warning")
    elif decision == "nascondi":
        flash(_("Contenuto nascosto: le segnalazioni sono chiuse."), "success")
    else:
        flash(_("Contenuto lasciato pubblicato: le segnalazioni sono chiuse."), "success")
    return redirect(url_for(".queue"))
