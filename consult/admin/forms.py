"""The administration's forms: a consultation's texts, its phases, an objective, an upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from consult.framework.administration import PhaseValues

PRIVACY_HINTS = {
    "privacy_controller": _l("Es.: Regione Piemonte, piazza Castello 165, 10122 Torino, PEC ..."),
    "privacy_dpo": _l("Es.: dpo@regione.piemonte.it"),
    "privacy_purposes": _l("Es.: raccogliere e analizzare le proposte della consultazione."),
    "privacy_legal_basis": _l(
        "Es.: esecuzione di un compito di interesse pubblico (art. 6, par. 1, lett. e GDPR)."
    ),
    "privacy_retention": _l("Es.: fino a 5 anni dalla chiusura della consultazione."),
    "privacy_recipients": _l("Es.: il fornitore della piattaforma, nominato responsabile."),
}


class TextsForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=5000)])
    is_active = BooleanField(_l("Consultazione aperta (elencata tra le consultazioni aperte)"))
    privacy_controller = TextAreaField(
        _l("Titolare del trattamento"), validators=[Optional(), Length(max=2000)]
    )
    privacy_dpo = StringField(
        _l("Contatto del responsabile della protezione dei dati (RPD/DPO)"),
        validators=[Optional(), Length(max=500)],
    )
    privacy_purposes = TextAreaField(
        _l("Finalità del trattamento"), validators=[Optional(), Length(max=2000)]
    )
    privacy_legal_basis = TextAreaField(
        _l("Base giuridica"), validators=[Optional(), Length(max=2000)]
    )
    privacy_retention = TextAreaField(
        _l("Periodo di conservazione"), validators=[Optional(), Length(max=2000)]
    )
    privacy_recipients = TextAreaField(
        _l("Destinatari dei dati"), validators=[Optional(), Length(max=2000)]
    )
    privacy_example = BooleanField(
        _l("L'informativa contiene testi di esempio (la pagina pubblica lo segnala)")
    )

    def values(self) -> dict:
        return {
            name: (field.data.strip() if isinstance(field.data, str) else bool(field.data))
            for name, field in self._fields.items()
            if name != "csrf_token"
        }


class PhaseRowForm(FlaskForm):
    """One phase; a row left without a name is dropped."""

    class Meta:
        csrf = False

    name = StringField(_l("Nome"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Descrizione"), validators=[Optional(), Length(max=2000)])
    starts_on = DateField(_l("Inizio"), validators=[Optional()])
    ends_on = DateField(_l("Fine"), validators=[Optional()])
    allows_proposals = BooleanField(_l("Proposte aperte"))
    allows_live = BooleanField(_l("Sessioni dal vivo"))
    allows_analysis = BooleanField(_l("Analisi dei temi"))
    publishes_answers = BooleanField(_l("Risposte pubblicate"))

    def validate_ends_on(self, field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("La fine non può precedere l'inizio."))

    def validate_name(self, field) -> None:
        filled = self.description.data or self.starts_on.data or self.ends_on.data
        if filled and not (field.data or "").strip():
            raise ValidationError(_l("Dai un nome alla fase."))


class PhasesForm(FlaskForm):
    phases = FieldList(FormField(PhaseRowForm), min_entries=1)

    def rows(self) -> list[PhaseValues]:
        flags = {
            "proposals": "allows_proposals",
            "live": "allows_live",
            "analysis": "allows_analysis",
            "answers": "publishes_answers",
        }
        return [
            PhaseValues(
                name=row.form.name.data.strip(),
                description=(row.form.description.data or "").strip(),
                starts_on=row.form.starts_on.data,
                ends_on=row.form.ends_on.data,
                allows=frozenset(key for key, flag in flags.items() if row.form[flag].data),
            )
            for row in self.phases
            if (row.form.name.data or "").strip()
        ]


class ObjectiveForm(FlaskForm):
    title = StringField(_l("Titolo"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Descrizione"), validators=[DataRequired(), Length(max=5000)])
    keywords = StringField(
        _l("Parole chiave (separate da virgole)"), validators=[Optional(), Length(max=2000)]
    )

    def values(self) -> dict:
        words = [w.strip() for w in (self.keywords.data or "").split(",")]
        return {
            "title": self.title.data.strip(),
            "description": self.description.data.strip(),
            "keywords": [w for w in words if w],
        }


class UploadForm(FlaskForm):
    framework = FileField(_l("File del quadro (YAML, JSON o Excel .xlsx)"))


class ConfirmForm(FlaskForm):
    """The validated framework travels back as JSON and is validated again before saving."""

    spec = HiddenField()


class DefaultConsultationForm(FlaskForm):
    """Which consultation the site's home and its old single-consultation addresses lead to."""

    slug = SelectField(
        _l("Consultazione predefinita"),
        validators=[DataRequired(_l("Scegli una delle consultazioni del sito."))],
        validate_choice=True,
    )
