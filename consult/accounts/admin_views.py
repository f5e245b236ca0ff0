"""Administrators manage accounts: list, change roles, deactivate; every change is audited."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import db
from consult.accounts import services as accounts
from consult.accounts.auth import role_required
from consult.accounts.forms import ActiveForm, RoleForm, role_labels
from consult.accounts.models import User
from consult.common.numbers import parse_int

bp = Blueprint("user_admin", __name__, url_prefix="/admin/utenti")
PAGE_SIZE = 50


def _actor() -> User:
    actor = accounts.user_by_id(db.session(), current_user.id)
    assert actor is not None
    return actor


def _target(user_id: int) -> User:
    user = accounts.user_by_id(db.session(), user_id)
    if user is None:
        abort(404)
    return user


@bp.get("")
@role_required("admin")
def index():
    query = (request.args.get("q") or "").strip()[:100]
    page = parse_int(request.args.get("pagina"), 1)
    users, total = accounts.search_users(db.session(), query, page=page, page_size=PAGE_SIZE)
    return render_template(
        "user_admin/index.html",
        users=users,
        query=query,
        page=page,
        has_next=page * PAGE_SIZE < total,
        total=total,
        role_labels=role_labels(),
        role_form=RoleForm(formdata=None),
    )


@bp.post("/<int:user_id>/ruolo")
@role_required("admin")
def change_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    user = _target(user_id)
    try:
        accounts.set_role(db.session(), actor=_actor(), user=user, role=form.role.data or "")
    except accounts.AccountError:
        flash(_("Non puoi cambiare il tuo stesso ruolo."), "error")
        return redirect(url_for("user_admin.index"), 303)
    flash(
        _("Ruolo di %(email)s: %(role)s.", email=user.email, role=role_labels()[user.role]),
        "success",
    )
    return redirect(url_for("user_admin.index", q=request.args.get("q") or None), 303)


@bp.post("/<int:user_id>/attivo")
@role_required("admin")
def change_active(user_id: int):
    form = ActiveForm()
    if not form.validate_on_submit():
        abort(400)
    user = _target(user_id)
    active = form.active.data == "1"
    try:
        accounts.set_active(db.session(), actor=_actor(), user=user, active=active)
    except accounts.AccountError:
        flash(_("Non puoi disattivare il tuo stesso account."), "error")
        return redirect(url_for("user_admin.index"), 303)
    message = _("Account riattivato.") if active else _("Account disattivato.")
    flash(message, "success")
    return redirect(url_for("user_admin.index", q=request.args.get("q") or None), 303)
