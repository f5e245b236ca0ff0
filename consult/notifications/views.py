"""Following without an account, confirming by a signed link, one-click unsubscribe, preferences."""

from textwrap import shorten

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import EmailField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from consult import db
from consult.common.forms import clean_text
from consult.extensions import csrf, limiter, page_language
from consult.framework.context import current_consultation
from consult.framework.models import Objective, Territory
from consult.notifications import services, tokens
from consult.notifications.models import FOLLOW_KINDS
from consult.proposals.models import Contribution

bp = Blueprint("notifications", __name__, url_prefix="/notifiche")
FREQUENCY_CHOICES = [
    ("immediate", _l("Subito, a ogni novità")),
    ("daily", _l("Un riepilogo al giorno")),
]


class FollowForm(FlaskForm):
    email = EmailField(
        _l("La tua e-mail"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Scrivi l'e-mail a cui scriverti.")),
            Length(max=254, message=_l("L'e-mail è troppo lunga.")),
            Email(_l("Controlla l'e-mail: sembra incompleta.")),
        ],
    )
    frequency = SelectField(
        _l("Quando"), choices=[SelectChoice(value, label) for value, label in FREQUENCY_CHOICES]
    )


def target_title(db: Session, kind: str, target_id: int) -> str:
    """What a follow is about, in the reader's language: pages name it, never show its id."""
    if kind in ("author", "proposal"):
        found = db.get(Contribution, target_id)
        excerpt = shorten(found.text, 80, placeholder=" …") if found is not None else ""
        if kind == "author":
            return _("La tua proposta n. %(id)s: «%(text)s»", id=target_id, text=excerpt)
        return _("Proposta n. %(id)s: «%(text)s»", id=target_id, text=excerpt)
    if kind == "objective":
        objective = db.get(Objective, target_id)
        return _("Obiettivo: %(title)s", title=objective.title if objective else "-")
    territory = db.get(Territory, target_id)
    return _("Territorio: %(name)s", name=territory.name if territory else "-")


def _secret() -> str:
    return str(current_app.secret_key)


def _token(purpose: str, token: str) -> tuple[str, int | None]:
    found = tokens.read(_secret(), purpose, token)
    if found is None:
        abort(404)
    return found


@bp.route("/segui/<kind>/<int:target_id>", methods=["GET", "POST"])
@limiter.limit("10 per minute;30 per hour", methods=["POST"])
def follow(kind: str, target_id: int):
    framework_id = current_consultation().framework_id
    if kind not in FOLLOW_KINDS[1:] or not services.target_exists(
        db.session(), kind, target_id, framework_id
    ):
        abort(404)
    form = FollowForm()
    if form.validate_on_submit():
        services.ask_to_follow(
            db.session(),
            email=form.email.data or "",
            kind=kind,
            target_id=target_id,
            frequency=form.frequency.data or "immediate",
            locale=page_language(),
        )
        return render_template("notifications/follow_sent.html")
    status = 422 if form.is_submitted() else 200
    title = target_title(db.session(), kind, target_id)
    return render_template("notifications/follow.html", form=form, title=title), status


@bp.route("/conferma/<token>", methods=["GET", "POST"])
def confirm(token: str):
    """GET only shows the button: mail scanners open links, people press buttons."""
    email, follow_id = _token("confirm", token)
    if request.method == "POST":
        if not FlaskForm().validate_on_submit() or follow_id is None:
            abort(400)
        if services.confirm(db.session(), follow_id, email) is None:
            abort(404)
        return render_template(
            "notifications/confirmed.html", token=tokens.make(_secret(), "manage", email)
        )
    return render_template("notifications/confirm.html", form=FlaskForm())


@bp.route("/disiscrizione/<token>", methods=["GET", "POST"])
# RFC 8058: the mail provider POSTs "List-Unsubscribe=One-Click"; the signed token is the proof
@csrf.exempt
def unsubscribe(token: str):
    email, follow_id = _token("unsubscribe", token)
    if request.method == "POST":
        everything = request.form.get("tutto") == "1" or follow_id is None  # (reads the body:
        # an oversized one is refused with 413 like every form's)
        services.unsubscribe(db.session(), email, None if everything else follow_id)
        return render_template(
            "notifications/unsubscribed.html", token=tokens.make(_secret(), "manage", email)
        )
    return render_template("notifications/unsubscribe.html", single=follow_id is not None)


@bp.route("/preferenze/<token>", methods=["GET", "POST"])
def preferences(token: str):
    email, _follow = _token("manage", token)
    session = db.session()
    if request.method == "POST":
        if not FlaskForm().validate_on_submit():
            abort(400)
        for follow in services.follows_of(session, email):
            choice = request.form.get(f"follow-{follow.id}", "")
            if choice == "stop":
                services.unsubscribe(session, email, follow.id)
            elif choice:
                services.set_frequency(session, email, follow.id or 0, choice)
    return render_template(
        "notifications/preferences.html",
        form=FlaskForm(),
        email=email,
        follows=[
            (f, target_title(session, f.kind, f.target_id))
            for f in services.follows_of(session, email)
        ],
        choices=FREQUENCY_CHOICES,
        unsubscribe_all=tokens.make(_secret(), "unsubscribe", email),
    )
