"""Forms of co-planning: amendments, meeting comments, section edits, decisions, publishing."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from consult.common.forms import clean_text, proposal_text
from consult.common.numbers import parse_int
from consult.coplanning.labels import AMENDMENT_STATUS_LABELS
from consult.proposals.forms import ProposalForm

SECTION_MAX_CHARS = 20000


def as_id(value: object) -> int:
    """A chosen id from a form; anything else is 0, which no choice has."""
    return parse_int(value, 0)


class AmendmentForm(FlaskForm):
    """A replacement text for a section; anonymous participants may leave a name and e-mail."""

    text = TextAreaField(
        _l("Il testo che proponi al posto di quello attuale"),
        filters=[clean_text],
        validators=[proposal_text],
    )
    name = ProposalForm.name
    email = ProposalForm.email
    consent = ProposalForm.consent
    idempotency_key = ProposalForm.idempotency_key
    ensure_idempotency_key = ProposalForm.ensure_idempotency_key


class MeetingCommentForm(FlaskForm):
    section = SelectField(
        _l("Sezione della strategia"),
        coerce=as_id,
        validate_choice=False,
        validators=[DataRequired(_l("Scegli la sezione di cui ha parlato l'incontro."))],
    )
    text = TextAreaField(
        _l("Che cosa ha detto l'incontro"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Scrivi che cosa ha detto l'incontro.")),
            Length(min=10, max=5000, message=_l("Il commento deve avere da 10 a 5000 caratteri.")),
        ],
    )

    def validate_section(self, field) -> None:
        if field.data not in {choice.value for choice in self.section.choices or []}:
            raise ValidationError(gettext("Scegli una sezione dell'elenco."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """Only the choices offered, with the message in the user's language."""
        offered = {choice.value for choice in self.choices or []}
        if any(value not in offered for value in self.data or []):
            raise ValidationError(gettext("Scegli solo tra le voci dell'elenco."))


class SectionForm(FlaskForm):
    title = StringField(
        _l("Titolo della sezione"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Scrivi il titolo della sezione.")),
            Length(max=300, message=_l("Il titolo può avere al massimo 300 caratteri.")),
        ],
    )
    body = TextAreaField(
        _l("Testo (Markdown)"),
        filters=[clean_text],
        validators=[
            Length(
                max=SECTION_MAX_CHARS,
                message=_l("Il testo può avere al massimo 20000 caratteri."),
            )
        ],
    )
    amendments = MultiCheckboxField(_l("Emendamenti accolti"), coerce=as_id)
    comments = MultiCheckboxField(_l("Commenti degli incontri"), coerce=as_id)
    proposals = StringField(
        _l("Proposte che hanno motivato la modifica (numeri separati da virgole)"),
        filters=[clean_text],
        validators=[Length(max=500, message=_l("Al massimo 500 caratteri."))],
    )

    def set_input_choices(self, said) -> None:
        """Offer what was said on the same section of the version being revised."""
        taken = [a for a in said.decided if a.status != "non-accolto"] if said else []
        self.amendments.choices = [SelectChoice(a.id, f"n. {a.id}") for a in taken]
        comments = said.comments if said else []
        self.comments.choices = [SelectChoice(c.id, f"n. {c.id}") for c in comments]

    def proposal_numbers(self) -> list[int] | None:
        """The numbers typed, or None (with the field's error) when one is not a number."""
        parts = [p.strip().lstrip("nN.°º# ") for p in (self.proposals.data or "").split(",")]
        parts = [p for p in parts if p]
        if not all(p.isascii() and p.isdigit() and len(p) < 10 for p in parts):
            self.proposals.errors = [
                *self.proposals.errors,
                gettext("Scrivi i numeri delle proposte separati da virgole, per esempio 12, 40."),
            ]
            return None
        return sorted({int(p) for p in parts})


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decisione"),
        validate_choice=False,
        choices=[
            SelectChoice(code, label)
            for code, label in AMENDMENT_STATUS_LABELS.items()
            if code != "in-valutazione"
        ],
        validators=[DataRequired(_l("Scegli una decisione."))],
    )
    text = TextAreaField(
        _l("Testo accolto (modificalo per accogliere con modifiche)"),
        filters=[clean_text],
        validators=[
            Length(
                max=SECTION_MAX_CHARS, message=_l("Il testo può avere al massimo 20000 caratteri.")
            )
        ],
    )
    reason = TextAreaField(
        _l("Motivazione (obbligatoria se non accolto)"),
        filters=[clean_text],
        validators=[Length(max=2000, message=_l("Al massimo 2000 caratteri."))],
    )

    def validate_outcome(self, field) -> None:
        if field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(gettext("Scegli una decisione."))

    def validate_text(self, field) -> None:
        if self.outcome.data == "accolto-con-modifiche" and not field.data:
            raise ValidationError(gettext("Scrivi il testo con le tue modifiche."))

    def validate_reason(self, field) -> None:
        if self.outcome.data == "non-accolto" and not field.data:
            raise ValidationError(gettext("Spiega perché l'emendamento non è accolto."))


class PublishForm(FlaskForm):
    note = TextAreaField(
        _l("Che cosa cambia in questa versione"),
        filters=[clean_text],
        validators=[Length(max=2000, message=_l("Al massimo 2000 caratteri."))],
    )
    approve = BooleanField(_l("Versione approvata (definitiva, chiusa agli emendamenti)"))
