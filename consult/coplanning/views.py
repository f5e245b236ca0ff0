"""The strategy in public: its versions, what changed and why, amendments and their tracking."""

from flask import Blueprint, abort, g, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import db
from consult.coplanning import changes, inputs, versions
from consult.coplanning.forms import AmendmentForm
from consult.coplanning.labels import AMENDMENT_STATUS_LABELS, VERSION_STATUS_LABELS
from consult.coplanning.models import StrategyVersion
from consult.coplanning.rendering import render_markdown
from consult.extensions import limiter
from consult.framework.context import current_consultation

bp = Blueprint("strategy", __name__, url_prefix="/strategia")


@bp.app_template_filter("markdown")
def markdown_filter(text: str):
    return render_markdown(text)


@bp.app_context_processor
def strategy_labels() -> dict:
    return {
        "version_status_labels": VERSION_STATUS_LABELS,
        "amendment_status_labels": AMENDMENT_STATUS_LABELS,
    }


@bp.app_template_global()
def strategy_versions_citing(contribution_id: int) -> list[StrategyVersion]:
    """For a proposal's tracking page (a template include): the versions that took it up."""
    return changes.versions_citing(db.session(), contribution_id=contribution_id)


def _public_version(number: int) -> StrategyVersion:
    consultation = current_consultation()
    return versions.public_version(db.session(), consultation.id or 0, number) or abort(404)


@bp.get("/")
def index():
    consultation = current_consultation()
    found = versions.public_versions(db.session(), consultation.id or 0)
    return render_template("coplanning/index.html", versions=list(reversed(found)))


@bp.get("/versione-<int:number>")
def version(number: int):
    """A published version, section by section, with what was said about each one."""
    shown = _public_version(number)
    session = db.session()
    sections = inputs.inputs_by_section(session, shown)
    meeting_ids = {c.meeting_id for item in sections for c in item.comments}
    return render_template(
        "coplanning/version.html",
        version=shown,
        sections=sections,
        meetings=inputs.meeting_titles(session, meeting_ids),
        previous=versions.previous_public(session, shown),
    )


@bp.get("/versione-<int:number>/modifiche")
def changes_page(number: int):
    """What changed from the previous version and why: the diff of each section, its inputs."""
    shown = _public_version(number)
    session = db.session()
    base = versions.previous_public(session, shown)
    return render_template(
        "coplanning/changes.html",
        version=shown,
        base=base,
        changes=changes.compare(session, base, shown),
    )


@bp.route("/sezioni/<int:section_id>/emendamento", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def amend(section_id: int):
    """Propose a replacement text for a section of the version in consultation (phone first)."""
    consultation = current_consultation()
    session = db.session()
    found = versions.section_in(session, consultation.id or 0, section_id) or abort(404)
    section, owner = found
    if owner.status not in versions.PUBLIC_STATES:
        abort(404)  # a draft is not public yet
    form = AmendmentForm()
    form.ensure_idempotency_key()
    if owner.status != "in-consultazione":
        return _amend_page(form, section, owner, 409)
    if not form.is_submitted():
        form.text.data = section.body
        return _amend_page(form, section, owner)
    if not form.validate():
        return _amend_page(form, section, owner, 422)
    signed_in = current_user.is_authenticated
    amendment = inputs.propose_amendment(
        session,
        section,
        text=form.text.data,
        author_id=current_user.id if signed_in else None,
        author_name="" if signed_in else form.name.data or "",
        author_email="" if signed_in else form.email.data or "",
        idempotency_key=form.idempotency_key.data,
    )
    return redirect(url_for(".track", token=amendment.tracking_token), code=303)


def _amend_page(form: AmendmentForm, section, owner: StrategyVersion, status: int = 200):
    closed = owner.status != "in-consultazione"
    page = render_template(
        "coplanning/amend.html", form=form, section=section, version=owner, closed=closed
    )
    return page, status


@bp.get("/emendamenti/<token>")
def track(token: str):
    """The author's private page: the amendment, its decision, the version that took it up."""
    session = db.session()
    amendment = inputs.amendment_by_token(session, token) or abort(404)
    section = versions.section_by_id(session, amendment.section_id)
    assert section is not None  # a foreign key
    response = make_response(
        render_template(
            "coplanning/track.html",
            amendment=amendment,
            section=section,
            version=versions.section_version(session, section),
            citing=changes.versions_citing(session, amendment_id=amendment.id),
            message=_("Conserva questo indirizzo: qui vedrai che cosa diventa il tuo emendamento."),
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    g.private_page = True  # the tracking blueprint's hook then sends no referrer
    return response
