"""Log in and out. Accounts are optional for participants and required for staff."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlmodel import func, select
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length

from .. import db
from ..auth import verify_password
from ..extensions import limiter
from ..models import User
from ..models._base import utcnow
from .forms import clean_text
from .public import _safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


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


@bp.route("/accedi", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    form = LoginForm()
    if form.validate_on_submit():
        email = (form.email.data or "").lower()
        user = db.session().exec(select(User).where(func.lower(User.email) == email)).first()
        if user is not None and user.active and verify_password(user, form.password.data or ""):
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session().add(user)
            return redirect(_safe_next(request.args.get("next")))
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
        user.session_version += 1
        db.session().add(user)
    logout_user()
    flash(_("Sei uscito dal tuo account."), "info")
    return redirect(url_for("public.home"))
