"""The fast-entry form: one proposal said in the room or written on a paper form."""

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp

from consult.common.forms import clean_text, proposal_text
from consult.common.text_rules import TEXT_MAX_CHARS
from consult.framework.labels import ROLE_LABELS
from consult.meetings import services as meetings
from consult.meetings.entry import EntryInput, meeting_groups, meeting_objectives
from consult.meetings.models import Meeting


class EntryForm(FlaskForm):
    text = TextAreaField(
        _l("Testo della proposta"),
        filters=[clean_text],
        validators=[proposal_text],
        render_kw={"maxlength": TEXT_MAX_CHARS, "autofocus": True, "rows": 5},
    )
    channel = RadioField(
        _l("Come è arrivata"),
        choices=[
            SelectChoice("meeting", _l("Detta in sala")),
            SelectChoice("paper", _l("Scritta su modulo cartaceo")),
        ],
        default="meeting",
    )
    territory = SelectField(_l("Territorio"), default="")
    role = SelectField(_l("Ruolo di chi propone (facoltativo)"), default="")
    working_group = SelectField(_l("Gruppo di lavoro (facoltativo)"), default="")
    objective = SelectField(_l("Obiettivo suggerito (facoltativo)"), default="")
    author_name = StringField(
        _l("Nome dell'autore (facoltativo)"), filters=[clean_text], validators=[Length(max=120)]
    )
    note = StringField(
        _l("Nota (per esempio «modulo n. 12»)"), filters=[clean_text], validators=[Length(max=200)]
    )
    idempotency_key = HiddenField(validators=[DataRequired(), Regexp(r"^[a-f0-9]{32}$")])

    def fill_choices(self, db: Session, meeting: Meeting) -> None:
        """Choices come from the meeting's framework, territories and working groups."""
        none = [SelectChoice("", _l("— nessuno —"))]
        territories = meetings.meeting_territories(db, meeting)
        self.territory.choices = none + [SelectChoice(str(t.id), t.name) for t in territories]
        self.role.choices = none + [SelectChoice(k, v) for k, v in ROLE_LABELS.items()]
        groups = meeting_groups(db, meetings.stored_id(meeting))
        self.working_group.choices = none + [SelectChoice(str(g.id), g.name) for g in groups]
        objectives = meeting_objectives(db, meeting)
        self.objective.choices = none + [SelectChoice(str(o.id), o.title) for o in objectives]

    def entry(self) -> EntryInput:
        return EntryInput(
            text=self.text.data,
            channel=self.channel.data,
            territory_id=_id(self.territory.data),
            participant_role=self.role.data or None,
            working_group_id=_id(self.working_group.data),
            suggested_objective_id=_id(self.objective.data),
            author_name=self.author_name.data or None,
            note=self.note.data or "",
        )


def _id(value: str | None) -> int | None:
    return int(value) if value else None


def new_key() -> str:
    """A fresh idempotency key for the next blank form."""
    return secrets.token_hex(16)
