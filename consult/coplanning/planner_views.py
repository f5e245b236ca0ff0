"""Planners draft the strategy, review what was said per section, decide and publish versions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from consult import db
from consult.accounts.auth import role_required
from consult.coplanning import changes, inputs, versions
from consult.coplanning.forms import DecisionForm, PublishForm, SectionForm
from consult.coplanning.models import StrategySection, StrategyVersion
from consult.framework.context import current_consultation

bp = Blueprint("coplanning", __name__, url_prefix="/pianificazione/strategia")

LOCKED = _l(
    "Questa versione è pubblicata e non si può più modificare: le modifiche vanno nella bozza."
)


def _version(version_id: int) -> StrategyVersion:
    consultation = current_consultation()
    found = versions.version_by_id(db.session(), consultation.id or 0, version_id)
    return found or abort(404)


@bp.get("/")
@role_required("planner")
def dashboard():
    consultation = current_consultation()
    found = versions.all_versions(db.session(), consultation.id or 0)
    return render_template("coplanning/dashboard.html", versions=found, form=FlaskForm())


@bp.post("/bozza")
@role_required("planner")
def start_draft():
    """Open the next draft: a copy of the latest version, or the framework's sections."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    draft = versions.start_draft(db.session(), current_consultation(), actor_id=current_user.id)
    return redirect(url_for(".workspace", version_id=draft.id), code=303)


@bp.get("/versioni/<int:version_id>")
@role_required("planner")
def workspace(version_id: int):
    """A version's sections; for a draft, the changes so far and the publishing form."""
    return _workspace_page(_version(version_id), PublishForm())


def _workspace_page(version: StrategyVersion, form: PublishForm, status: int = 200):
    session = db.session()
    base = versions.previous_public(session, version)
    page = render_template(
        "coplanning/workspace.html",
        version=version,
        base=base,
        changes=changes.compare(session, base, version),
        form=form,
    )
    return page, status


@bp.route("/sezioni/<int:section_id>", methods=["GET", "POST"])
@role_required("planner")
def edit_section(section_id: int):
    consultation = current_consultation()
    session = db.session()
    found = versions.section_in(session, consultation.id or 0, section_id) or abort(404)
    section, version = found
    if version.status != "bozza":
        return render_template("coplanning/locked.html", version=version, message=LOCKED), 409
    kept = versions.provenance_of(session, section_id)
    form = SectionForm(
        data=None
        if request.method == "POST"
        else {
            "title": section.title,
            "body": section.body,
            "amendments": list(kept.amendment_ids),
            "comments": list(kept.meeting_comment_ids),
            "proposals": ", ".join(str(n) for n in kept.contribution_ids),
        }
    )
    said = _inputs_on_base(section, version)
    form.set_input_choices(said)
    if request.method == "POST" and form.validate():
        provenance = _provenance(form, consultation.id or 0)
        if provenance is not None:
            versions.update_section(
                session,
                section,
                title=form.title.data,
                body=form.body.data or "",
                provenance=provenance,
                actor_id=current_user.id,
            )
            flash(_("Sezione salvata."), "success")
            return redirect(url_for(".workspace", version_id=version.id), code=303)
    page = render_template(
        "coplanning/section_form.html",
        form=form,
        section=section,
        version=version,
        said=said,
        related=inputs.related_proposals(session, consultation, section.key),
    )
    return page, 422 if request.method == "POST" else 200


def _provenance(form: SectionForm, consultation_id: int) -> versions.Provenance | None:
    """The inputs ticked and typed, or None with the field's error for an unknown proposal."""
    numbers = form.proposal_numbers()
    if numbers is None:
        return None
    unknown = inputs.unknown_proposals(db.session(), consultation_id, numbers)
    if unknown:
        message = _(
            "Non esiste una proposta con questo numero: %(numbers)s.",
            numbers=", ".join(map(str, unknown)),
        )
        form.proposals.errors = [*form.proposals.errors, message]
        return None
    return versions.Provenance(
        amendment_ids=tuple(form.amendments.data or ()),
        meeting_comment_ids=tuple(form.comments.data or ()),
        contribution_ids=tuple(numbers),
    )


def _inputs_on_base(section: StrategySection, version: StrategyVersion):
    """What was said on the same section of the version this draft revises."""
    session = db.session()
    base = versions.previous_public(session, version)
    return inputs.inputs_for_key(session, base, section.key) if base else None


@bp.post("/versioni/<int:version_id>/pubblica")
@role_required("planner")
def publish(version_id: int):
    version = _version(version_id)
    if version.status != "bozza":
        return render_template("coplanning/locked.html", version=version, message=LOCKED), 409
    form = PublishForm()
    if not form.validate_on_submit():
        return _workspace_page(version, form, 422)
    versions.publish(
        db.session(),
        version,
        note=form.note.data or "",
        approve=form.approve.data,
        actor_id=current_user.id,
    )
    flash(_("Versione %(number)s pubblicata.", number=version.number), "success")
    return redirect(url_for("strategy.version", number=version.number), code=303)


@bp.get("/versioni/<int:version_id>/revisione")
@role_required("planner")
def review(version_id: int):
    """Amendments and meeting comments on each section, with a decision form per amendment."""
    return _review_page(_version(version_id))


def _review_page(
    version: StrategyVersion,
    failed: int | None = None,
    form: DecisionForm | None = None,
    status: int = 200,
):
    session = db.session()
    sections = inputs.inputs_by_section(session, version)
    meeting_ids = {c.meeting_id for item in sections for c in item.comments}
    page = render_template(
        "coplanning/review.html",
        version=version,
        sections=sections,
        meetings=inputs.meeting_titles(session, meeting_ids),
        draft=versions.current_draft(session, version.consultation_id),
        failed=failed,
        failed_form=form,
        blank=DecisionForm,
    )
    return page, status


@bp.post("/emendamenti/<int:amendment_id>/decisione")
@role_required("planner")
def decide(amendment_id: int):
    consultation = current_consultation()
    session = db.session()
    amendment = inputs.amendment_by_id(session, amendment_id) or abort(404)
    found = versions.section_in(session, consultation.id or 0, amendment.section_id) or abort(404)
    version = found[1]
    form = DecisionForm(prefix=f"a{amendment_id}")
    if amendment.status != "in-valutazione":
        flash(_("Questo emendamento è già stato deciso."), "warning")
        return _review_page(version, status=409)
    if not form.validate_on_submit():
        return _review_page(version, amendment_id, form, 422)
    try:
        inputs.decide(
            session,
            amendment,
            consultation,
            outcome=form.outcome.data,
            text=form.text.data or "",
            reason=form.reason.data or "",
            actor_id=current_user.id,
        )
    except inputs.NoMatchingSection:
        form.outcome.errors = [
            _("La bozza non ha più questa sezione: aggiungila prima di accogliere l'emendamento.")
        ]
        return _review_page(version, amendment_id, form, 422)
    flash(_("Decisione registrata."), "success")
    return redirect(
        url_for(".review", version_id=version.id, _anchor=f"emendamento-{amendment.id}"), code=303
    )
