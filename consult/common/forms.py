"""Form helpers shared by every feature's forms."""

import re
import secrets

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, StringField
from wtforms.validators import Email, Length, Optional, ValidationError

from consult.common.numbers import parse_decimal_text
from consult.common.text_rules import clean_text, text_problem

__all__ = [
    "IDEMPOTENCY_KEY",
    "IdempotentForm",
    "LocalDecimalField",
    "clean_text",
    "new_idempotency_key",
    "optional_email",
    "optional_name",
    "proposal_text",
]

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


class IdempotentForm:
    """A form sent with the key it was rendered with: the same page sent twice is one record."""

    idempotency_key = HiddenField()

    def ensure_idempotency_key(self) -> None:
        """Keep the key the page was rendered with; mint one for a fresh or tampered form."""
        field = self.idempotency_key  # bound by the form's metaclass
        if not IDEMPOTENCY_KEY.match(field.data or ""):
            field.data = new_idempotency_key()


def optional_name() -> StringField:
    """'Nome (facoltativo)': the name a participant may leave, at most 120 characters."""
    return StringField(
        _l("Nome (facoltativo)"),
        filters=[clean_text],
        validators=[Length(max=120, message=_l("Il nome può avere al massimo 120 caratteri."))],
    )


def optional_email() -> EmailField:
    """'E-mail (facoltativa)': checked for shape and length only when given."""
    return EmailField(
        _l("E-mail (facoltativa)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=254, message=_l("L'e-mail è troppo lunga.")),
            Email(_l("Controlla l'e-mail: sembra incompleta.")),
        ],
    )


def proposal_text(_form, field) -> None:
    """WTForms validator: the one proposal text rule, its message in the user's language."""
    problem = text_problem(field.data)
    if problem:
        raise ValidationError(gettext(problem))


class LocalDecimalField(StringField):
    """A decimal number typed the Italian way (`94,6`) or with a point (`94.6`); shown back
    with the user's decimal separator. A text input (`inputmode=decimal`): a number input
    would let the browser drop the comma."""

    def __init__(self, label=None, validators=None, *, places: int = 1, message=None, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(label, validators, **kwargs)
        self.places = places
        self.message = message

    def process_formdata(self, valuelist) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        if not self.raw_text.strip():
            return
        value = parse_decimal_text(self.raw_text)
        if value is None or not value.is_finite():
            raise ValueError(
                str(self.message)
                if self.message
                else gettext("Scrivi un numero, con la virgola per i decimali: ad esempio 94,6.")
            )
        self.data = round(value, self.places)

    def _value(self) -> str:
        if getattr(self, "raw_text", None) is not None and self.process_errors:
            return self.raw_text  # what was typed, to fix it
        if self.data is None:
            return ""
        return format_decimal(self.data, format="0." + "#" * self.places)
