"""Register, log in and out, reset a forgotten password. Accounts are optional for
participants and required for staff."""

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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from consult import db
from consult.accounts import jobs as mail_jobs
from consult.accounts import services as accounts
from consult.accounts.forms import (
    AddressForm,
    RegisterForm,
    ResetPasswordForm,
)
from consult.accounts.models import User
from consult.common.forms import clean_text
from consult.common.models import utcnow
from consult.common.web import safe_next
from consult.extensions import limiter, page_language

bp = Blueprint("accounts", __name__, url_prefix="/account")


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
    language = session.pop("lang", None)  # (a cookie read, not a query)
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
    user = accounts.user_by_id(db.session(), current_user.id)
    if user is not None:
        accounts.log_out_everywhere(db.session(), user)
    logout_user()
    flash(_("Sei uscito dal tuo account."), "info")
    return redirect(url_for("public.home"))


@bp.route("/registrati", methods=["GET", "POST"])
@limiter.limit("10 per minute;50 per hour", methods=["POST"])
def register():
    """The same "check your mail" page whether or not the address already has an account: a
    new account gets a verification link, the owner of an existing one a warning."""
    if current_user.is_authenticated:
        return redirect(url_for("my_account.page"))
    form = RegisterForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/register.html", form=form), status
    email = form.email.data or ""
    user = accounts.register(
        db.session(),
        email=email,
        password=form.password.data or "",
        display_name=form.display_name.data or "",
        locale=page_language(),
    )
    _mail_later("verify" if user is not None else "already-registered", email)
    return render_template("accounts/register_sent.html", email=accounts.normalise_email(email))


@bp.route("/password-dimenticata", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def forgot_password():
    """Ask for a reset link: the same answer for any address."""
    return _ask_for_link("reset")


@bp.route("/conferma-email", methods=["GET", "POST"])
@limiter.limit("5 per minute;20 per hour", methods=["POST"])
def resend_verification():
    """Ask for the verification link again: the same answer for any address."""
    return _ask_for_link("verify")


def _ask_for_link(kind: str):
    """Always answer the same way, so the page never tells whether an address has an account;
    the background job decides whether a link is due."""
    form = AddressForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/ask_link.html", form=form, kind=kind), status
    _mail_later(kind, form.email.data or "")
    return render_template("accounts/link_sent.html", kind=kind)


@bp.get("/conferma-email/<token>")
def verify_email(token: str):
    """The signed link mailed to the address: from now on the address counts for the account."""
    try:
        accounts.verify_email(
            db.session(),
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["EMAIL_VERIFICATION_MAX_AGE"],
        )
    except accounts.VerificationTokenError as exc:
        status = 400 if exc.code == "invalid" else 410
        return render_template("accounts/link_invalid.html", kind="verify", reason=exc.code), status
    return render_template("accounts/verified.html")


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
        return render_template("accounts/link_invalid.html", kind="reset", reason=exc.code), status
    form = ResetPasswordForm()
    form.account_email = user.email
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("accounts/reset.html", form=form), status
    accounts.set_password(db.session(), user, form.password.data or "")
    accounts.confirm_address(db.session(), user)  # the link came by mail: the address is theirs
    start_session(user)
    flash(_("Password aggiornata: sei entrato con la nuova password."), "success")
    return redirect(url_for("my_account.page"))


def _mail_later(kind: str, email: str) -> None:
    """Queue an account e-mail for the background job, to go once the request commits."""
    mail_jobs.enqueue_after_commit(
        db.session(),
        current_app._get_current_object(),  # type: ignore[attr-defined]
        kind,
        email,
        url_for("public.home", _external=True, _site=True),
    )
