"""Forms of the facilitator area (meetings, their closing record, live sessions) and the public
registration to a meeting."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from consult.common.forms import (
    IdempotentForm,
    LocalDecimalField,
    clean_text,
    optional_email,
    optional_name,
)

MINUTES_EXTENSIONS = ("pdf", "docx", "odt", "txt")
MINUTES_MAX_BYTES = 4 * 1024 * 1024


class MeetingForm(FlaskForm):
    title = StringField(
        _l("Titolo"),
        filters=[clean_text],
        validators=[DataRequired(_l("Inserisci il titolo dell'incontro.")), Length(max=300)],
    )
    territory = SelectField(_l("Territorio"), coerce=int, validators=[Optional()])
    place = StringField(_l("Luogo"), filters=[clean_text], validators=[Length(max=300)])
    starts_at = DateTimeLocalField(
        _l("Data e ora"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(_l("Indica data e ora nel formato previsto."))],
    )
    agenda = TextAreaField(_l("Ordine del giorno"), filters=[clean_text])
    facilitators = SelectMultipleField(_l("Facilitatori"), coerce=int)
    km_travelled = LocalDecimalField(
        _l("Km percorsi (facoltativo)"),
        places=1,
        message=_l("Scrivi i km come numero, con la virgola per i decimali: ad esempio 94,6."),
        validators=[
            Optional(),
            NumberRange(0, 100000, _l("I km devono essere un numero non negativo.")),
        ],
    )


class CloseMeetingForm(FlaskForm):
    attendance = IntegerField(
        _l("Partecipanti presenti"),
        validators=[
            InputRequired(_l("Indica quante persone hanno partecipato.")),
            NumberRange(0, 100000, _l("Il numero di partecipanti non è valido.")),
        ],
    )
    organisations = TextAreaField(
        _l("Organizzazioni presenti"),
        filters=[clean_text],
        validators=[DataRequired(_l("Elenca le organizzazioni presenti (una per riga)."))],
    )
    minutes = TextAreaField(_l("Verbale"), filters=[clean_text])
    minutes_file = FileField(
        _l("Oppure carica il verbale (PDF, DOCX, ODT o TXT, max 4 MB)"),
        validators=[
            FileAllowed(MINUTES_EXTENSIONS, _l("Formato non ammesso: usa PDF, DOCX, ODT o TXT."))
        ],
    )


class LiveSessionForm(FlaskForm):
    moderation = RadioField(
        _l("Moderazione"),
        choices=[
            SelectChoice("pre", _l("Approva prima di pubblicare (consigliato)")),
            SelectChoice("post", _l("Pubblica subito, modera dopo")),
        ],
        default="pre",
    )
    groups_per_axis = BooleanField(_l("Un gruppo di lavoro per ogni asse della strategia"))
    groups = TextAreaField(
        _l("Altri gruppi di lavoro (uno per riga, facoltativo)"),
        filters=[clean_text],
        validators=[Length(max=2000)],
    )


class RegistrationForm(IdempotentForm, FlaskForm):
    """Saying you will come: a name and an address are optional (then you are only counted)."""

    name = optional_name()
    email = optional_email()
    consent = BooleanField(
        _l("Ho letto l'informativa privacy e acconsento al trattamento dei dati.")
    )

    def validate_consent(self, field) -> None:
        """Consent is needed only when we keep something about the person."""
        if (self.name.data or self.email.data) and not field.data:
            raise ValidationError(
                _l("Per lasciare nome o e-mail devi accettare l'informativa privacy.")
            )
