"""Forms of the proposals feature and the list's query-string filters."""

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from consult.common.forms import (
    IdempotentForm,
    clean_text,
    optional_email,
    optional_name,
    proposal_text,
)
from consult.common.numbers import parse_int
from consult.framework.labels import REPORT_REASON_LABELS, ROLE_LABELS
from consult.proposals.engagement import REPORT_REASONS
from consult.proposals.models import PARTICIPANT_ROLES
from consult.proposals.search import ANSWERED, ProposalFilters


def one_of_the_choices(message):
    """A select's value must be one it offered (the choices are set per request)."""

    def check(_form, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices or []}:
            raise ValidationError(message)

    return check


class ProposalForm(IdempotentForm, FlaskForm):
    text = TextAreaField(
        _l("La tua proposta"),
        filters=[clean_text],
        validators=[proposal_text],
    )
    title = StringField(
        _l("Titolo (facoltativo)"),
        filters=[clean_text],
        validators=[Length(max=200, message=_l("Il titolo può avere al massimo 200 caratteri."))],
    )
    territory = SelectField(
        _l("Territorio"),
        validate_choice=False,
        validators=[
            DataRequired(_l("Scegli il tuo territorio.")),
            one_of_the_choices(_l("Scegli un territorio dell'elenco.")),
        ],
    )
    role = SelectField(
        _l("Partecipi come"),
        validate_choice=False,
        validators=[
            DataRequired(_l("Scegli come partecipi.")),
            one_of_the_choices(_l("Scegli una voce dell'elenco.")),
        ],
    )
    objective = SelectField(
        _l("Obiettivo della strategia (facoltativo)"),
        validate_choice=False,
        validators=[one_of_the_choices(_l("Scegli un obiettivo dell'elenco."))],
    )
    name = optional_name()
    email = optional_email()
    notify = BooleanField(
        _l("Scrivetemi quando la proposta è pubblicata, unita a un'altra o riceve una risposta"),
        default=True,
    )
    consent = BooleanField(
        _l("Ho letto l'informativa privacy e acconsento al trattamento dei dati."),
        validators=[DataRequired(_l("Per inviare la proposta devi accettare l'informativa."))],
    )

    def set_choices(self, territories, objectives) -> None:
        """Offer the consultation's territories (grouped by province) and objectives."""
        whole = _l("%(name)s (tutta la provincia)")
        self.territory.choices = [SelectChoice("", _l("Scegli…"))] + [
            SelectChoice(
                t.code, whole % {"name": t.name} if t is root else t.name, optgroup=root.name
            )
            for root, children in territories
            for t in (root, *children)
        ]
        self.role.choices = [SelectChoice("", _l("Scegli…"))] + [
            SelectChoice(code, ROLE_LABELS[code]) for code in PARTICIPANT_ROLES
        ]
        self.objective.choices = [SelectChoice("", _l("Non so, decidete voi"))] + [
            SelectChoice(o.code, o.title) for o in objectives
        ]


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Il tuo commento"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Scrivi il tuo commento.")),
            Length(min=2, max=1000, message=_l("Il commento deve avere da 2 a 1000 caratteri.")),
        ],
    )
    name = optional_name()


class ReportForm(FlaskForm):
    reason = SelectField(
        _l("Motivo della segnalazione"),
        choices=[SelectChoice(code, REPORT_REASON_LABELS[code]) for code in REPORT_REASONS],
        validate_choice=False,
        validators=[DataRequired(_l("Scegli un motivo."))],
    )
    detail = StringField(
        _l("Dettagli (facoltativi)"),
        filters=[clean_text],
        validators=[Length(max=300, message=_l("Al massimo 300 caratteri."))],
    )

    def reason_text(self) -> str:
        code = self.reason.data if self.reason.data in REPORT_REASONS else "altro"
        return f"{code}: {self.detail.data}" if self.detail.data else code


LIST_PARAMS = {
    "q": "q",
    "territory": "territorio",
    "objective": "obiettivo",
    "theme": "tema",
    "channel": "canale",
    "meeting": "incontro",
    "answered": "risposta",
    "sort": "ordine",
}
API_PARAMS = {name: name for name in LIST_PARAMS}
API_SORTS = {"newest": "recenti", "supported": "sostenute"}
API_ANSWERED = {"yes": "con", "no": "senza"}


def filter_args(args: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """The filters of a query string to carry into the next page's link: only the named ones,
    so keys such as `_external`, `_anchor`, `_scheme` or `endpoint` never reach `url_for`."""
    return {param: args[param] for param in names.values() if args.get(param)}


def parse_filters(args: Mapping[str, str], names: Mapping[str, str]) -> ProposalFilters:
    """Read filters from a query string; raise ValueError for a meeting that is not a number."""
    values = {key: (clean_text(args.get(param)) or "")[:200] for key, param in names.items()}
    meeting = values.pop("meeting")
    sort = API_SORTS.get(values["sort"], values["sort"])
    values["sort"] = sort if sort in ("recenti", "sostenute") else "recenti"
    answered = API_ANSWERED.get(values["answered"], values["answered"])
    values["answered"] = answered if answered in ANSWERED else ""
    meeting_id = parse_int(meeting, 0)
    if meeting and not meeting_id:
        raise ValueError(f"not a meeting number: {meeting!r}")
    return ProposalFilters(**values, meeting=meeting_id or None)
