"""Reviewing objective mappings: least certain first, emerging needs apart."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from consult import db
from consult.accounts.auth import role_required
from consult.analysis import mapping_review, stored
from consult.analysis.rows import stored_id
from consult.analysis.view_helpers import (
    PLANNER_ROLES,
    current_run,
    objectives_of,
    theme_or_404,
)
from consult.common.errors import render_error
from consult.common.numbers import parse_int
from consult.framework.context import current_consultation
from consult.framework.models import OFF_STRATEGY_CODE

bp = Blueprint("mapping", __name__, url_prefix="/pianificazione/mappatura")
QUEUE_LIMIT = 30
PROPOSALS_PAGE_SIZE = 50


class MappingForm(FlaskForm):
    objective = SelectField(_l("Obiettivo"), validators=[DataRequired(_l("Scegli un obiettivo."))])


def mapping_form(objectives, selected: int | None = None, **kwargs) -> MappingForm:
    form = MappingForm(**kwargs)
    form.objective.choices = [SelectChoice(str(o.id), o.title) for o in objectives]
    form.objective.choices.append(
        SelectChoice(OFF_STRATEGY_CODE, _("Fuori strategia (bisogno emergente)"))
    )
    if not form.is_submitted():
        form.objective.data = str(selected) if selected else OFF_STRATEGY_CODE
    return form


@bp.get("")
@role_required(*PLANNER_ROLES)
def index():
    consultation = current_consultation()
    run = current_run(consultation)
    objectives = objectives_of(consultation)
    if run is None:
        return render_template("planning/mapping.html", run=None)
    session = db.session()
    threshold = current_app.config["MAPPING_REVIEW_THRESHOLD"]
    themes = mapping_review.theme_items(session, run)
    page = parse_int(request.args.get("pagina"), 1)
    proposals, total = mapping_review.contribution_page(session, run, page, PROPOSALS_PAGE_SIZE)
    least_sure = mapping_review.contribution_queue(session, run, threshold, QUEUE_LIMIT)
    return render_template(
        "planning/mapping.html",
        run=run,
        threshold=threshold,
        review_queue=mapping_review.queue(themes + least_sure, threshold)[:QUEUE_LIMIT],
        themes=[i for i in themes if not i.target.is_off_strategy],
        emerging=[i for i in themes if i.target.is_off_strategy],
        proposals=proposals,
        page=page,
        pages=stored.page_count(total, PROPOSALS_PAGE_SIZE),
        objectives={o.id: o for o in objectives},
        form_for=lambda item: mapping_form(
            objectives, item.top.objective_id if item.top else None, formdata=None
        ),
    )


def _chosen_objective(form: MappingForm) -> int | None:
    return None if form.objective.data == OFF_STRATEGY_CODE else int(form.objective.data)


@bp.post("/tema/<stable_key>")
@role_required(*PLANNER_ROLES)
def confirm_theme(stable_key: str):
    consultation = current_consultation()
    theme = theme_or_404(consultation, stable_key)
    form = mapping_form(objectives_of(consultation))
    if not form.validate_on_submit():
        return _invalid()
    mapping_review.confirm(
        db.session(), objective_id=_chosen_objective(form), actor_id=current_user.id, theme=theme
    )
    flash(_("Mappatura del tema confermata."), "success")
    return redirect(url_for("mapping.index"), code=303)


@bp.post("/proposta/<int:contribution_id>")
@role_required(*PLANNER_ROLES)
def confirm_contribution(contribution_id: int):
    consultation = current_consultation()
    contribution = stored.proposal_of(db.session(), stored_id(consultation), contribution_id)
    if contribution is None:
        return _invalid(404)
    form = mapping_form(objectives_of(consultation))
    if not form.validate_on_submit():
        return _invalid()
    mapping_review.confirm(
        db.session(),
        objective_id=_chosen_objective(form),
        actor_id=current_user.id,
        contribution=contribution,
    )
    flash(_("Mappatura della proposta confermata."), "success")
    return redirect(url_for("mapping.index", pagina=request.args.get("pagina")), code=303)


def _invalid(status: int = 422):
    detail = _("Scegli uno degli obiettivi della strategia o «fuori strategia».")
    return render_error(status, detail if status == 422 else None)
