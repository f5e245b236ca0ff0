"""Register, log in and out, reset a forgotten password. Accounts are optional for
participants and required for staff."""

import logging

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from consult import db
from consult.accounts import services as accounts
from consult.accounts.forms import ForgotPasswordForm, RegisterForm, ResetPasswordForm
from consult.accounts.models import User
from consult.common import mail
from consult.common.forms import clean_text
from consult.common.models import utcnow
from consult.common.web import safe_next
from consult.extensions import limiter

bp = Blueprint("accounts", __name__, url_prefix="/account")
logger = logging.getLogger(__name__)


@bp.record_once
def _mail_setup(state) -> None:
    """Give the `memory` mail backend its outbox, and the `log` one a handler to write to."""
    state.app.config.setdefault("MAIL_OUTBOX", [])
    state.app.logger  # noqa: B018  (creating it attaches Flask's handler to the "consult" logger)


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[clean_text],
        validators=[DataRequired(_l("Inserisci l'e-mail.")), Email(_l("E-mail non valida."))],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Inserisci la password.")), Length(max=200)]
    )
    remember = BooleanField(_l("Ricordami su questo dispositivo"))


def start_session(user: User, remember: bool = False) -> None:
    """Log in on a fresh session (no fixation), keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(user, remember=remember)
    user.last_login_at = utcnow()
    db.session().add(user)


@bp.route("/accedi", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session(), form.email.data or "", form.password.data or "")
        if user is not None:
            start_session(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
        form.password.errors = [_("E-mail o password non corretti.")]
        return render_template("accounts/login.html", form=form), 422
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/esci")
@login_required
def logout():
    """Log out and invalidate every other session of this account, remember-me included."""
    user = db.session().get(User, current_user.id)
    if user is not None:
        accounts.log_out_everywhere(db.session(), user)
    logout_user()
    flash(_("Sei uscito dal tuo account."), "info")
    return redirect(url_for("public.home"))


@bp.route("/registrati", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("my_account.page"))
    form = RegisterForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/register.html", form=form), status
    existing = accounts.find_by_email(db.session(), form.email.data or "")
    if existing is not None:
        _send_already_registered(existing)
        form.email.errors = [
            _(
                "Non è possibile creare un account con questo indirizzo. Se l'indirizzo è già "
                "registrato, usa 'Password dimenticata'."
            )
        ]
        return render_template("accounts/register.html", form=form, maybe_taken=True), 422
    user = accounts.create_user(
        db.session(),
        email=form.email.data or "",
        password=form.password.data or "",
        display_name=form.display_name.data or "",
        locale=str(get_locale()),
    )
    start_session(user)
    flash(_("Benvenuto! Il tuo account è pronto."), "success")
    return redirect(url_for("my_account.page"))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    """Always answer the same way, so the page never tells whether an address has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/forgot.html", form=form), status
    user = accounts.find_by_email(db.session(), form.email.data or "")
    if user is not None and user.active:
        _send_reset_link(user)
    return render_template("accounts/forgot_sent.html")


@bp.route("/reimposta/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def reset_password(token: str):
    try:
        user = accounts.user_for_reset_token(
            db.session(),
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["PASSWORD_RESET_MAX_AGE"],
        )
    except accounts.ResetTokenError as exc:
        status = 400 if exc.code == "invalid" else 410
        return render_template("accounts/reset_invalid.html", reason=exc.code), status
    form = ResetPasswordForm()
    form.account_email = user.email
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset.html", form=form), status
    accounts.set_password(db.session(), user, form.password.data or "")
    start_session(user)
    flash(_("Password aggiornata: sei entrato con la nuova password."), "success")
    return redirect(url_for("my_account.page"))


def _deliver(user: User, subject: str, body: str) -> None:
    """Send one e-mail; a failing mail server is logged, never shown as a different answer."""
    try:
        mail.send(
            mail.MailSettings.from_config(current_app.config),
            to=user.email,
            subject=subject,
            body=body,
        )
    except mail.MailError:
        logger.exception("Could not send e-mail to account %s", user.id)


def _send_reset_link(user: User) -> None:
    token = accounts.make_reset_token(current_app.config["SECRET_KEY"], user)
    link = url_for("accounts.reset_password", token=token, _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.locale or "it"):
        subject = _("Reimposta la tua password")
        body = _(
            "Qualcuno (speriamo tu) ha chiesto di reimpostare la password del tuo account.\n\n"
            "Per scegliere una nuova password apri questo link entro %(minutes)s minuti:\n"
            "%(link)s\n\n"
            "Il link funziona una sola volta. Se non sei stato tu, ignora questo messaggio: "
            "la tua password resta quella di prima.",
            minutes=minutes,
            link=link,
        )
    _deliver(user, subject, body)


def _send_already_registered(user: User) -> None:
    link = url_for("accounts.forgot_password", _external=True)
    with force_locale(user.locale or "it"):
        subject = _("Hai già un account")
        body = _(
            "Qualcuno ha provato a registrarsi con il tuo indirizzo, che ha già un account.\n\n"
            "Se eri tu e non ricordi la password, scegline una nuova qui:\n%(link)s\n\n"
            "Se non eri tu, ignora questo messaggio.",
            link=link,
        )
    _deliver(user, subject, body)
