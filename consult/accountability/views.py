"""Planners write, edit, publish and withdraw the region's public answers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from consult import db
from consult.accountability import responses as service
from consult.accountability.models import Response
from consult.accounts.auth import role_required
from consult.analysis.open_themes import visible_themes
from consult.common.forms import clean_text
from consult.common.web import MAX_ROW_ID, row_id
from consult.framework import phases
from consult.framework import services as framework
from consult.framework.context import current_consultation
from consult.framework.labels import RESPONSE_STATUS_LABELS
from consult.framework.models import Consultation
from consult.meetings.services import stored_id

bp = Blueprint("responses", __name__, url_prefix="/pianificazione/risposte")


class ResponseForm(FlaskForm):
    theme = SelectField(_l("Tema"), default="")
    objective = SelectField(_l("Obiettivo"), default="")
    contribution = IntegerField(
        _l("Numero della proposta"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_ROW_ID, message=_l("Numero di proposta non valido.")),
        ],
    )
    status = SelectField(
        _l("Stato"),
        choices=[SelectChoice(code, label) for code, label in RESPONSE_STATUS_LABELS.items()],
    )
    text = TextAreaField(
        _l("Risposta della Regione"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Scrivi la risposta.")),
            Length(max=5000, message=_l("La risposta può avere al massimo 5000 caratteri.")),
        ],
    )

    def target_errors(self, consultation_id: int) -> bool:
        """Exactly one target, and it must exist; adds the error to the right field."""
        chosen = [f for f in (self.theme, self.objective, self.contribution) if f.data]
        if len(chosen) != 1:
            self.theme.errors = [
                *self.theme.errors,
                _("Scegli un solo destinatario: un tema, un obiettivo oppure una proposta."),
            ]
            return True
        number = self.contribution.data
        if number and not service.proposal_exists(db.session(), consultation_id, number):
            self.contribution.errors = [
                *self.contribution.errors,
                _("Non esiste una proposta con questo numero."),
            ]
            return True
        return False

    def target_fields(self, objective_ids: dict[str, int]) -> dict:
        return {
            "theme_stable_key": self.theme.data or None,
            "objective_id": objective_ids.get(self.objective.data),
            "contribution_id": self.contribution.data or None,
        }


@bp.get("/")
@role_required("planner")
def index():
    consultation = current_consultation()
    items = service.consultation_responses(db.session(), stored_id(consultation))
    return render_template(
        "responses/index.html",
        items=items,
        targets=_target_labels(items),
        answers_public=phases.answers_public(db.session(), stored_id(consultation)),
    )


@bp.route("/nuova", methods=["GET", "POST"])
@role_required("planner")
def create():
    consultation = current_consultation()
    form, objective_ids = _form(consultation, None)
    if request.method == "GET":
        _prefill(form, objective_ids)
    elif form.validate_on_submit() and not form.target_errors(stored_id(consultation)):
        response = service.create_response(
            db.session(),
            consultation_id=stored_id(consultation),
            actor_id=current_user.id,
            status=form.status.data,
            text=form.text.data,
            **form.target_fields(objective_ids),
        )
        flash(_("Risposta salvata come bozza: pubblicala quando è pronta."), "success")
        return redirect(url_for(".edit", response_id=response.id))
    return _render_form(form, None)


@bp.route("/<int:response_id>/modifica", methods=["GET", "POST"])
@role_required("planner")
def edit(response_id: int):
    consultation = current_consultation()
    response = _get(response_id, stored_id(consultation))
    form, objective_ids = _form(consultation, response)
    if (
        request.method == "POST"
        and form.validate_on_submit()
        and not form.target_errors(stored_id(consultation))
    ):
        service.update_response(
            db.session(),
            response,
            actor_id=current_user.id,
            status=form.status.data,
            text=form.text.data,
            **form.target_fields(objective_ids),
        )
        flash(_("Risposta aggiornata."), "success")
        return redirect(url_for(".edit", response_id=response.id))
    return _render_form(form, response)


@bp.post("/<int:response_id>/pubblica")
@role_required("planner")
def publish(response_id: int):
    return _set_published(response_id, True, _("Risposta pubblicata."))


@bp.post("/<int:response_id>/ritira")
@role_required("planner")
def unpublish(response_id: int):
    return _set_published(response_id, False, _("Risposta ritirata dalle pagine pubbliche."))


def _set_published(response_id: int, published: bool, message: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    response = _get(response_id, stored_id(current_consultation()))
    service.set_published(db.session(), response, published, actor_id=current_user.id)
    flash(message, "success")
    return redirect(url_for(".index"))


def _get(response_id: int, consultation_id: int) -> Response:
    response = service.get_response(db.session(), response_id, consultation_id)
    if response is None:
        abort(404)
    return response


def _form(
    consultation: Consultation, response: Response | None
) -> tuple[ResponseForm, dict[str, int]]:
    """The form with its theme and objective choices (and the response's values on GET)."""
    session = db.session()
    objectives = framework.objectives(session, consultation.framework_id)
    form = ResponseForm(obj=None)
    if response is not None and request.method == "GET":
        by_id = {o.id: o.code for o in objectives}
        form = ResponseForm(
            data={
                "theme": response.theme_stable_key or "",
                "objective": by_id.get(response.objective_id, ""),
                "contribution": response.contribution_id,
                "status": response.status,
                "text": response.text,
            }
        )
    themes = [
        (t.stable_key, t.display_label) for t in visible_themes(session, stored_id(consultation))
    ]
    kept = response.theme_stable_key if response else None
    if kept and kept not in dict(themes):
        themes.append((kept, _("Tema %(key)s (non più nell'analisi corrente)", key=kept)))
    form.theme.choices = [("", _("— nessun tema —")), *themes]
    form.objective.choices = [("", _("— nessun obiettivo —"))] + [
        (o.code, o.title) for o in objectives
    ]
    return form, {o.code: stored_id(o) for o in objectives}


def _prefill(form: ResponseForm, objective_ids: dict[str, int]) -> None:
    """Let other pages link to "answer this theme / objective / proposal"."""
    if request.args.get("tema") in {value for value, *_rest in form.theme.choices}:
        form.theme.data = request.args["tema"]
    if request.args.get("obiettivo") in objective_ids:
        form.objective.data = request.args["obiettivo"]
    contribution_id = row_id(request.args.get("proposta"))
    if contribution_id is not None:
        form.contribution.data = contribution_id


def _render_form(form: ResponseForm, response: Response | None):
    status = 422 if form.errors else 200
    return render_template("responses/form.html", form=form, response=response), status


def _target_labels(items: list[Response]) -> dict[int, str]:
    """A short description of each response's target for the list."""
    session = db.session()
    titles = framework.objective_titles(session)
    themes = {}
    if items:
        consultation_id = items[0].consultation_id
        themes = {t.stable_key: t.display_label for t in visible_themes(session, consultation_id)}
    labels = {}
    for item in items:
        key = stored_id(item)
        if item.theme_stable_key:
            labels[key] = _(
                "Tema: %(label)s", label=themes.get(item.theme_stable_key, item.theme_stable_key)
            )
        elif item.objective_id:
            labels[key] = _("Obiettivo: %(title)s", title=titles.get(item.objective_id, "?"))
        else:
            labels[key] = _("Proposta n. %(id)s", id=item.contribution_id)
    return labels
