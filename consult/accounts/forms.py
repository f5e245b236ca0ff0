"""Forms of the account pages; password rules come from the accounts service."""

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from consult.accounts.models import ROLES
from consult.accounts.services import MAX_PASSWORD_LENGTH, password_problem
from consult.common.forms import clean_text

LANGUAGE_CHOICES = [SelectChoice("it", "Italiano"), SelectChoice("en", "English")]


def password_messages() -> dict[str, str]:
    return {
        "too-short": _l("La password deve avere almeno 10 caratteri."),
        "too-long": _l("La password può avere al massimo 200 caratteri."),
        "common": _l("Questa password è troppo comune: scegline una più difficile da indovinare."),
        "is-email": _l("La password non può essere uguale all'indirizzo e-mail."),
    }


def role_labels() -> dict[str, str]:
    return {
        "participant": _l("Partecipante"),
        "moderator": _l("Moderatore"),
        "facilitator": _l("Facilitatore"),
        "planner": _l("Pianificatore"),
        "admin": _l("Amministratore"),
    }


def strong_password(email_of: Callable[[FlaskForm], str | None]) -> Callable:
    """Validator: refuse short, common or e-mail-like passwords with a clear reason."""

    def check(_form, field) -> None:
        problem = password_problem(field.data or "", email_of(_form) or "")
        if problem:
            raise ValidationError(password_messages()[problem])

    return check


def _email_field() -> EmailField:
    return EmailField(
        _l("E-mail"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Inserisci l'e-mail.")),
            Length(max=254, message=_l("L'e-mail può avere al massimo 254 caratteri.")),
            Email(_l("E-mail non valida.")),
        ],
    )


def _new_password_field(email_of) -> PasswordField:
    return PasswordField(
        _l("Nuova password"),
        validators=[DataRequired(_l("Scegli una password.")), strong_password(email_of)],
    )


class RegisterForm(FlaskForm):
    email = _email_field()
    display_name = StringField(
        _l("Nome da mostrare (facoltativo)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=120, message=_l("Il nome può avere al massimo 120 caratteri.")),
        ],
    )
    password = _new_password_field(lambda form: form.email.data)
    privacy = BooleanField(
        _l("Ho letto l'informativa sulla privacy e acconsento al trattamento dei miei dati."),
        validators=[
            DataRequired(_l("Per registrarti devi accettare l'informativa sulla privacy."))
        ],
    )


class AddressForm(FlaskForm):
    """Only an address: asking for a reset link or a new verification link."""

    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(lambda form: getattr(form, "account_email", ""))


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Nome da mostrare"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=120, message=_l("Il nome può avere al massimo 120 caratteri.")),
        ],
    )
    locale = SelectField(_l("Lingua"), choices=LANGUAGE_CHOICES)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Password attuale"),
        validators=[
            DataRequired(_l("Inserisci la password attuale.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )
    new_password = _new_password_field(lambda form: getattr(form, "account_email", ""))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Inserisci la password per confermare.")),
            Length(max=MAX_PASSWORD_LENGTH),
        ],
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Ruolo"), choices=list(ROLES))


class ActiveForm(FlaskForm):
    active = SelectField(choices=["0", "1"])
