"""Form helpers shared by every feature's forms."""

from flask_babel import format_decimal, gettext
from wtforms import StringField
from wtforms.validators import ValidationError

from consult.common.numbers import parse_decimal_text
from consult.common.text_rules import clean_text, text_problem

__all__ = ["LocalDecimalField", "clean_text", "proposal_text"]


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
