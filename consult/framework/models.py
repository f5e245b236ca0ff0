"""Strategy frameworks: objectives, axes and territories are data, not code."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from consult.common.models import json_field, utcnow

OBJECTIVE_KINDS = ("cross-cutting", "sectoral")
TERRITORY_KINDS = ("region", "province", "ambito", "distretto")
OFF_STRATEGY_CODE = "fuori-strategia"


class Framework(SQLModel, table=True):
    """A strategy whose objectives consultations are mapped onto."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=300)
    description: str = ""
    source: str = ""


class Axis(SQLModel, table=True):
    """A thematic axis of a framework (Piedmont has five)."""

    __table_args__ = (UniqueConstraint("framework_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    number: int
    title: str = Field(max_length=300)
    description: str = ""


class Objective(SQLModel, table=True):
    """An objective people's proposals are mapped onto."""

    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    code: str = Field(max_length=80, index=True)
    kind: str = Field(max_length=20)
    axis_number: int | None = None
    title: str = Field(max_length=300)
    description: str = ""
    keywords: list[str] = json_field()
    examples: list[str] = json_field()  # example proposals from the framework file
    position: int = 0


class Territory(SQLModel, table=True):
    """A province, or an ambito/distretto below it, of one framework: two consultations may
    each list a territory of the same code without one overwriting the other's."""

    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="framework.id", index=True)
    code: str = Field(max_length=80, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="territory.id", index=True)
    # The Italian article the name takes ("la" Città metropolitana di Torino), for place phrases.
    article: str = Field(default="", max_length=3)


class Consultation(SQLModel, table=True):
    """One consultation process run on a framework."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title: str = Field(max_length=300)
    description: str = ""
    framework_id: int = Field(foreign_key="framework.id", index=True)
    is_active: bool = True
    # The privacy notice (GDPR art. 13), edited in the administration; empty: not written yet.
    privacy_controller: str = ""  # the data controller: name, address, contact
    privacy_dpo: str = ""  # the data protection officer's contact
    privacy_purposes: str = ""
    privacy_legal_basis: str = ""
    privacy_retention: str = ""
    privacy_recipients: str = ""
    privacy_example: bool = False  # the texts are examples (the demo's): the page says so


class SiteSetting(SQLModel, table=True):
    """A site-wide choice the administration makes, by name (the default consultation's slug
    under DEFAULT_CONSULTATION); none stored: the configuration's value holds."""

    __tablename__ = "site_setting"

    name: str = Field(primary_key=True, max_length=80)
    value: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=utcnow)


DEFAULT_CONSULTATION = "default_consultation"


class Phase(SQLModel, table=True):
    """A dated phase of a consultation (ascolto, restituzione, ...)."""

    id: int | None = Field(default=None, primary_key=True)
    consultation_id: int = Field(foreign_key="consultation.id", index=True)
    position: int = 0
    name: str = Field(max_length=200)
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    # What the phase allows while it runs (consult/framework/phases.py reads them).
    allows_proposals: bool = False
    allows_live: bool = False
    allows_analysis: bool = False
    publishes_answers: bool = False


def objective_dict(objective: Objective) -> dict[str, Any]:
    """Serialise an objective for the open-data API and the NLP layer."""
    return {
        "code": objective.code,
        "kind": objective.kind,
        "axis": objective.axis_number,
        "title": objective.title,
        "description": objective.description,
        "keywords": list(objective.keywords or []),
    }
