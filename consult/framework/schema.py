"""The shape of a framework file, validated before anything touches the database."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CODE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AxisSpec(_Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    description: str = ""


class ObjectiveSpec(_Strict):
    code: str = Field(pattern=CODE_PATTERN, max_length=80)
    kind: Literal["cross-cutting", "sectoral"]
    axis: int | None = None
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    # Few-shot seeds written by the strategy's authors (never participants' proposals).
    examples: list[str] = Field(default_factory=list)


class TerritorySpec(_Strict):
    code: str = Field(pattern=CODE_PATTERN, max_length=80)
    name: str = Field(min_length=1)
    kind: Literal["region", "province", "ambito", "distretto"]
    parent: str | None = None
    # The article the name takes; left out, it follows from the name (see framework/places.py).
    article: Literal["", "il", "lo", "la", "l'", "i", "gli", "le"] | None = None


class PhaseSpec(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class ConsultationSpec(_Strict):
    slug: str = Field(pattern=CODE_PATTERN, max_length=120)
    title: str = Field(min_length=1)
    description: str = ""
    phases: list[PhaseSpec] = Field(default_factory=list)


class FrameworkSpec(_Strict):
    code: str = Field(pattern=CODE_PATTERN, max_length=80)
    title: str = Field(min_length=1)
    description: str = ""
    source: str = ""
    consultation: ConsultationSpec | None = None
    axes: list[AxisSpec] = Field(default_factory=list)
    objectives: list[ObjectiveSpec] = Field(min_length=1)
    territories: list[TerritorySpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_references(self) -> "FrameworkSpec":
        _no_duplicates("axes", [axis.number for axis in self.axes], "number")
        _no_duplicates("objectives", [objective.code for objective in self.objectives], "code")
        _no_duplicates("territories", [territory.code for territory in self.territories], "code")
        axis_numbers = {axis.number for axis in self.axes}
        for index, objective in enumerate(self.objectives):
            if objective.axis is not None and objective.axis not in axis_numbers:
                raise ValueError(
                    f"objectives[{index}].axis: axis {objective.axis} is not declared in axes"
                )
        codes = {territory.code for territory in self.territories}
        for index, territory in enumerate(self.territories):
            if territory.parent is not None and territory.parent not in codes:
                raise ValueError(
                    f"territories[{index}].parent: unknown territory code '{territory.parent}'"
                )
        return self


def _no_duplicates(section: str, values: list, field: str) -> None:
    seen: dict = {}
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(
                f"{section}[{index}].{field}: duplicate {field} '{value}' "
                f"(already used at {section}[{seen[value]}])"
            )
        seen[value] = index
