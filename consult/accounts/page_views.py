"""The personal account page: profile, password, sessions, download and erase my data."""

import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from consult import db
from consult.accounts import personal_data as account_data
from consult.accounts import services as accounts
from consult.accounts.forms import (
    AddressForm,
    ChangePasswordForm,
    DeleteAccountForm,
    ProfileForm,
)
from consult.accounts.models import User
from consult.accounts.views import start_session
from consult.common.models import utcnow
from consult.extensions import limiter

bp = Blueprint("my_account", __name__, url_prefix="/account")

# The tracking page belongs to the proposals feature; its address is printed on receipts and
# QR codes and is stable by design (issue 3), so the export can build it without the endpoint.
TRACKING_PATH = "traccia/{token}"


def _me() -> User:
    user = accounts.user_by_id(db.session(), current_user.id)
    assert user is not None  # login_required ran, so the account exists
    return user


def _render(profile=None, password=None, status: int = 200):
    user = _me()
    if profile is None:
        profile = ProfileForm(
            prefix="profile",
            formdata=None,
            data={"display_name": user.display_name, "locale": user.locale},
        )
    if password is None:
        password = ChangePasswordForm(prefix="pw", formdata=None)
    # The resend form carries the account's own address, so one click asks for a new link.
    verify = AddressForm(formdata=None)
    return render_template(
        "account/page.html",
        user=user,
        profile=profile,
        password=password,
        verify=verify,
        proposals=account_data.own_contributions(db.session(), user),
    ), status


@bp.get("")
@login_required
def page():
    return _render()


@bp.post("/profilo")
@login_required
def update_profile():
    form = ProfileForm(prefix="profile")
    if not form.validate_on_submit():
        return _render(profile=form, status=422)
    user = _me()
    user.display_name = form.display_name.data or ""
    user.locale = form.locale.data or "it"
    db.session().add(user)
    session.pop("lang", None)  # the saved preference now decides the language
    flash(_("Profilo aggiornato."), "success")
    return redirect(url_for("my_account.page"))


@bp.post("/password")
@login_required
@limiter.limit("10 per minute")
def change_password():
    """Change the password; every other session ends, this one continues on a fresh cookie."""
    user = _me()
    form = ChangePasswordForm(prefix="pw")
    form.account_email = user.email
    if not form.validate_on_submit():
        return _render(password=form, status=422)
    if not accounts.verify_password(user, form.current_password.data or ""):
        form.current_password.errors = [_("La password attuale non è corretta.")]
        return _render(password=form, status=422)
    accounts.set_password(db.session(), user, form.new_password.data or "")
    start_session(user)
    flash(_("Password cambiata. Gli altri dispositivi sono stati disconnessi."), "success")
    return redirect(url_for("my_account.page"))


@bp.post("/esci-ovunque")
@login_required
def logout_everywhere():
    accounts.log_out_everywhere(db.session(), _me())
    logout_user()
    flash(_("Sei uscito da tutti i dispositivi, compreso questo."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/i-miei-dati.json")
@login_required
def download_data():
    """Everything we hold about the account, as a JSON file (GDPR art. 15 and 20)."""
    root = request.host_url

    def tracking_url(token: str) -> str:
        return root + TRACKING_PATH.format(token=token)

    data = account_data.export(db.session(), _me(), tracking_url)
    data["exported_at"] = utcnow().isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    # Still valid JSON, but never markup, even if a browser were tricked into sniffing it.
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    filename = f"consult-dati-account-{current_user.id}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/elimina", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def delete():
    form = DeleteAccountForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("account/delete.html", form=form), status
    user = _me()
    if not accounts.verify_password(user, form.password.data or ""):
        form.password.errors = [_("La password non è corretta.")]
        return render_template("account/delete.html", form=form), 422
    account_data.delete_account(db.session(), user)
    logout_user()
    session.clear()
    flash(
        _("Il tuo account è stato eliminato. Le tue proposte restano, senza il tuo nome."), "info"
    )
    return redirect(url_for("public.home"))
