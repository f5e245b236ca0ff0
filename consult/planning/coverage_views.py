"""Planners' coverage matrix (objectives by territory or channel) and gap alerts."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from consult import db
from consult.accounts.auth import role_required
from consult.framework.context import current_consultation
from consult.framework.labels import CHANNEL_LABELS
from consult.meetings.services import stored_id
from consult.planning.coverage import Filters, build_matrix, meetings_of
from consult.planning.gaps import Thresholds, find_gaps

bp = Blueprint("coverage", __name__, url_prefix="/pianificazione")


class CoverageFilterForm(FlaskForm):
    """GET filters: no CSRF (nothing changes), validated like any form."""

    class Meta:
        csrf = False

    vista = SelectField(
        _l("Colonne"),
        choices=[SelectChoice("territori", _l("Territori")), SelectChoice("canali", _l("Canali"))],
        default="territori",
    )
    quota = SelectField(
        _l("Percentuali"),
        choices=[
            SelectChoice("riga", _l("sul totale dell'obiettivo")),
            SelectChoice("colonna", _l("sul totale della colonna")),
        ],
        default="riga",
    )
    dal = DateField(_l("Dal"), validators=[Optional()])
    al = DateField(_l("Al"), validators=[Optional()])
    incontro = SelectField(_l("Incontro"), coerce=int, default=0)
    min_proposte = IntegerField(
        _l("Soglia minima di proposte"),
        validators=[Optional(), NumberRange(1, 10000, _l("Inserisci un numero tra 1 e 10000."))],
    )
    quota_minima = DecimalField(
        _l("Quota minima rispetto all'attesa (%)"),
        places=0,
        validators=[Optional(), NumberRange(1, 100, _l("Inserisci una percentuale tra 1 e 100."))],
    )

    def validate_al(self, field) -> None:
        if field.data and self.dal.data and field.data < self.dal.data:
            raise ValidationError(_("La data finale precede quella iniziale."))


@bp.get("/copertura")
@role_required("planner")
def matrix():
    consultation = current_consultation()
    form = _filter_form(stored_id(consultation))
    valid = form.validate()
    filters = (
        Filters(form.dal.data, form.al.data, form.incontro.data or None) if valid else Filters()
    )
    thresholds = Thresholds(
        min_proposals=(valid and form.min_proposte.data) or current_app.config["GAP_MIN_PROPOSALS"],
        min_share=float(form.quota_minima.data) / 100
        if valid and form.quota_minima.data
        else current_app.config["GAP_MIN_SHARE"],
    )
    labels = {
        "off_strategy_label": _("Fuori strategia"),
        "unmapped_label": _("Non assegnate"),
        "no_territory_label": _("Territorio non indicato"),
    }
    threshold = current_app.config["OBJECTIVE_THRESHOLD"]
    by_territory = build_matrix(
        db.session(), consultation, filters=filters, threshold=threshold, **labels
    )
    shown = by_territory
    if form.vista.data == "canali":
        shown = build_matrix(
            db.session(),
            consultation,
            dimension="channel",
            filters=filters,
            threshold=threshold,
            **labels,
        )
        for column in shown.columns:
            column.label = str(CHANNEL_LABELS.get(column.code, column.code))
    template = (
        "coverage/_results.html" if request.headers.get("HX-Request") else "coverage/page.html"
    )
    body = render_template(
        template,
        form=form,
        matrix=shown,
        gaps=find_gaps(by_territory, thresholds),
        thresholds=thresholds,
        share_mode=form.quota.data,
    )
    return body, 200 if valid else 422, {"Vary": "HX-Request"}


def _filter_form(consultation_id: int) -> CoverageFilterForm:
    form = CoverageFilterForm(request.args)
    meetings = meetings_of(db.session(), consultation_id)
    form.incontro.choices = [SelectChoice(0, _("Tutti gli incontri"))] + [
        SelectChoice(m.id, m.title) for m in meetings
    ]
    return form
