"""The proposal form: inline validation and idempotent submit."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from consult import db
from consult.common.errors import render_error
from consult.extensions import SMALL_FORM_LIMITS, limiter, page_language
from consult.framework import phases
from consult.framework.context import current_consultation, participation_closed
from consult.framework.models import Consultation
from consult.notifications import services as notifications
from consult.proposals import services as proposals
from consult.proposals.forms import ProposalForm
from consult.proposals.search import territory_tree

bp = Blueprint("proposals", __name__)
# A full proposal form is at most ~30 KB even in 4-byte characters, percent-encoded.
FORM_BODY_LIMIT = 64 * 1024
SMALL_FORM_LIMITS[bp.name] = FORM_BODY_LIMIT  # 413 long before the site-wide upload limit


INLINE_FIELDS = ("text", "title", "territory", "role", "objective", "name", "email", "consent")


def _form(consultation: Consultation) -> ProposalForm:
    form = ProposalForm()
    session = db.session()
    form.set_choices(
        territory_tree(session, consultation.framework_id),
        proposals.objectives_of(session, consultation.framework_id),
    )
    form.ensure_idempotency_key()
    return form


def _render_form(form: ProposalForm, status: int = 200, summary: list | None = None):
    errors = (
        summary
        if summary is not None
        else [(f.id, error) for f in form if f.errors for error in f.errors]
    )
    return render_template("proposals/new.html", form=form, error_summary=errors), status


@bp.route("/proposte/nuova", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def new():
    consultation = current_consultation()
    if not phases.allows(db.session(), consultation.id or 0, "proposals"):
        return participation_closed()
    form = _form(consultation)
    if not form.is_submitted():
        return _render_form(form)
    if not form.validate():
        return _render_form(form, 422)
    contribution, created = proposals.submit(
        db.session(),
        consultation.id or 0,
        _new_proposal(form, consultation),
        premoderation=current_app.config.get("ONLINE_PREMODERATION", False),
    )
    if created:
        notifications.submitted(
            db.session(), contribution, locale=page_language(), notify=form.notify.data
        )
    return redirect(url_for("tracking.receipt", token=contribution.tracking_token), code=303)


def _new_proposal(form: ProposalForm, consultation: Consultation) -> proposals.NewProposal:
    session = db.session()
    objective_id = None
    if form.objective.data:
        objective_id = proposals.objective_id_by_code(
            session, consultation.framework_id, form.objective.data
        )
    return proposals.NewProposal(
        text=form.text.data or "",
        title=form.title.data or "",
        territory_id=proposals.territory_id_by_code(
            session, consultation.framework_id, form.territory.data or ""
        ),
        participant_role=form.role.data or "altro",
        idempotency_key=form.idempotency_key.data or "",
        suggested_objective_id=objective_id,
        author_name=form.name.data or None,
        author_email=(form.email.data or "").lower() or None,
        author_id=current_user.id if current_user.is_authenticated else None,
    )


@bp.errorhandler(CSRFError)
def csrf_expired(_error):
    """Keep what the author typed when the session expired: they only need to send again."""
    message = _("La sessione è scaduta: controlla i dati e premi di nuovo «Invia la proposta».")
    if request.endpoint != "proposals.new":
        return render_error(400, message)
    form = _form(current_consultation())
    return _render_form(form, 400, summary=[("text", message)])


@bp.post("/proposte/nuova/verifica")
def validate_field():
    """Validate the form and answer with one field's error messages, for inline validation."""
    name = request.args.get("campo", "")
    if name not in INLINE_FIELDS:
        abort(400)
    form = _form(current_consultation())
    form.validate()
    field = form[name]
    return render_template("proposals/_field_error.html", f=field), 422 if field.errors else 200


@bp.get("/proposte/privacy")
def privacy():
    """The privacy notice (GDPR art. 13) written from the consultation's own data."""
    return render_template("proposals/privacy.html", consultation=current_consultation())
