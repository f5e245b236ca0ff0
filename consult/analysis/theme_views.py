"""The themes page: what people raised, who and where, and planners' decisions on each theme."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from consult import db
from consult.accounts.auth import role_required
from consult.analysis import stored, theme_decisions, theme_groups, theme_stats
from consult.analysis.models import Theme
from consult.analysis.rows import stored_id
from consult.analysis.view_helpers import (
    PLANNER_ROLES,
    current_run,
    theme_or_404,
)
from consult.common.forms import clean_text
from consult.common.numbers import parse_int
from consult.framework.context import current_consultation

bp = Blueprint("themes", __name__, url_prefix="/pianificazione/temi")
DRILL_PAGE_SIZE = 200
SPLIT_PAGE_SIZE = 100  # proposals offered at once to move into a new theme


class RenameForm(FlaskForm):
    label = StringField(
        _l("Nuovo nome del tema"),
        filters=[clean_text],
        validators=[DataRequired(_l("Scrivi il nome del tema.")), Length(max=300)],
    )


class StatusForm(FlaskForm):
    status = SelectField(
        _l("Decisione"),
        choices=[
            SelectChoice("accepted", _l("Accetta il tema")),
            SelectChoice("discarded", _l("Scarta il tema")),
            SelectChoice("proposed", _l("Rimetti in valutazione")),
        ],
    )


class MergeForm(FlaskForm):
    target = SelectField(_l("Unisci a"), validators=[DataRequired(_l("Scegli il tema."))])


class SplitForm(FlaskForm):
    label = StringField(
        _l("Nome del nuovo tema"),
        filters=[clean_text],
        validators=[DataRequired(_l("Scrivi il nome del nuovo tema.")), Length(max=300)],
    )
    members = SelectMultipleField(
        _l("Proposte da spostare nel nuovo tema"),
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


@bp.get("")
@role_required(*PLANNER_ROLES)
def index():
    consultation = current_consultation()
    run = current_run(consultation)
    themes = stored.unmerged_themes(db.session(), stored_id(run)) if run else []
    session = db.session()
    trends = theme_stats.weekly_by_theme(session, [stored_id(t) for t in themes])
    groups = theme_groups.by_objective(
        session, themes, stored.objectives(session, consultation.framework_id)
    )
    return render_template(
        "planning/themes.html",
        run=run,
        themes=themes,
        groups=groups,
        stats=trends,
        flagged=flagged_themes(run, themes),
    )


def flagged_themes(run, themes: list[Theme]) -> set[int]:
    """Themes of the run that failed the coherence test (members too dissimilar, or closer
    to a sibling theme): the planner should check them, split or rename them."""
    quality = (run.params or {}).get("theme_quality", {}) if run else {}
    return {
        stored_id(t)
        for t in themes
        if t.model_topic >= 0 and quality.get(str(t.model_topic), {}).get("flagged")
    }


@bp.get("/<stable_key>")
@role_required(*PLANNER_ROLES)
def detail(stable_key: str):
    consultation = current_consultation()
    return _render_detail(theme_or_404(consultation, stable_key))


def _merge_form(theme: Theme, session) -> MergeForm:
    """The merge form: the run's other themes that still stand on their own."""
    others = [t for t in stored.unmerged_themes(session, theme.run_id) if t.id != theme.id]
    form = MergeForm(prefix="merge")
    form.target.choices = [SelectChoice(t.stable_key, t.display_label) for t in others]
    return form


def _split_form(session, member_ids: list[int], page: int) -> SplitForm:
    """The split form offering page `page` of the theme's proposals (its action keeps the page,
    so a sent choice is checked against the proposals it was made on)."""
    offered = stored.proposals_in_order(session, stored.page_of(member_ids, page, SPLIT_PAGE_SIZE))
    form = SplitForm(prefix="split")
    form.members.choices = [SelectChoice(c.id, f"#{c.id} {c.text[:140]}") for c in offered]
    return form


def _forms(theme: Theme, session, member_ids: list[int], page: int) -> dict:
    """Every decision form of the theme's page."""
    return {
        "rename_form": RenameForm(prefix="rename", label=theme.display_label),
        "status_form": StatusForm(prefix="status", status=theme.status),
        "merge_form": _merge_form(theme, session),
        "split_form": _split_form(session, member_ids, page),
        "split_page": page,
        "split_pages": stored.page_count(len(member_ids), SPLIT_PAGE_SIZE),
    }


def _page() -> int:
    return max(1, parse_int(request.args.get("pagina"), 1))


def _render_detail(theme: Theme, status: int = 200, **forms):
    session = db.session()
    member_ids = theme_decisions.member_ids(session, theme)
    context = {**_forms(theme, session, member_ids, _page()), **forms}
    return render_template(
        "planning/theme.html",
        theme=theme,
        stats=theme_stats.for_theme(session, theme_decisions.member_theme_ids(session, theme)),
        representatives=stored.proposals_in_order(session, member_ids[:3]),
        drill_url=_drill_url(theme),
        **context,
    ), status


def _drill_url(theme: Theme) -> str:
    """The theme's proposals in every state (the public list shows only published ones)."""
    return url_for("themes.proposals", stable_key=theme.stable_key)


@bp.get("/<stable_key>/proposte")
@role_required(*PLANNER_ROLES)
def proposals(stable_key: str):
    theme = theme_or_404(current_consultation(), stable_key)
    session = db.session()
    member_ids = theme_decisions.member_ids(session, theme)
    page = _page()
    return render_template(
        "planning/theme_proposals.html",
        theme=theme,
        contributions=stored.proposals_in_order(
            session, stored.page_of(member_ids, page, DRILL_PAGE_SIZE)
        ),
        total=len(member_ids),
        page=page,
        pages=stored.page_count(len(member_ids), DRILL_PAGE_SIZE),
    )


@bp.post("/<stable_key>/nome")
@role_required(*PLANNER_ROLES)
def rename(stable_key: str):
    theme = theme_or_404(current_consultation(), stable_key)
    form = RenameForm(prefix="rename")
    if not form.validate_on_submit():
        return _render_detail(theme, 422, rename_form=form)
    theme_decisions.rename(db.session(), theme, form.label.data, actor_id=current_user.id)
    flash(_("Tema rinominato."), "success")
    return redirect(url_for("themes.detail", stable_key=stable_key), code=303)


@bp.post("/<stable_key>/stato")
@role_required(*PLANNER_ROLES)
def set_status(stable_key: str):
    theme = theme_or_404(current_consultation(), stable_key)
    form = StatusForm(prefix="status")
    if not form.validate_on_submit():
        return _render_detail(theme, 422, status_form=form)
    try:
        theme_decisions.set_status(db.session(), theme, form.status.data, actor_id=current_user.id)
    except theme_decisions.ThemeEditError:
        form.status.errors = [_("Un tema unito a un altro non può cambiare stato.")]
        return _render_detail(theme, 422, status_form=form)
    flash(_("Decisione registrata."), "success")
    return redirect(url_for("themes.detail", stable_key=stable_key), code=303)


@bp.post("/<stable_key>/unisci")
@role_required(*PLANNER_ROLES)
def merge(stable_key: str):
    consultation = current_consultation()
    theme = theme_or_404(consultation, stable_key)
    form = _merge_form(theme, db.session())
    if not form.validate_on_submit():
        return _render_detail(theme, 422, merge_form=form)
    target = theme_or_404(consultation, form.target.data)
    theme_decisions.merge(db.session(), theme, target, actor_id=current_user.id)
    flash(_("Temi uniti."), "success")
    return redirect(url_for("themes.detail", stable_key=target.stable_key), code=303)


@bp.post("/<stable_key>/dividi")
@role_required(*PLANNER_ROLES)
def split(stable_key: str):
    theme = theme_or_404(current_consultation(), stable_key)
    session = db.session()
    form = _split_form(session, theme_decisions.member_ids(session, theme), _page())
    if not form.validate_on_submit():
        return _render_detail(theme, 422, split_form=form)
    try:
        new = theme_decisions.split(
            session, theme, form.members.data, form.label.data, actor_id=current_user.id
        )
    except theme_decisions.ThemeEditError:
        form.members.errors = [
            _(
                "Scegli almeno una proposta, ma non tutte: il tema di partenza non può "
                "restare vuoto."
            )
        ]
        return _render_detail(theme, 422, split_form=form)
    flash(_("Tema diviso: creato il tema «%(label)s».", label=new.display_label), "success")
    return redirect(url_for("themes.detail", stable_key=new.stable_key), code=303)
