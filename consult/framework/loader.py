"""Load a strategy framework file (YAML or JSON) into the database, all or nothing."""

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session, select

from consult.framework.models import Axis, Consultation, Framework, Objective, Phase, Territory
from consult.framework.places import article_for
from consult.framework.schema import FrameworkSpec

BUNDLED_DIR = Path(__file__).resolve().parent / "data"


class FrameworkError(ValueError):
    """A framework file that cannot be loaded; the message names field and position."""


def bundled_path(code: str) -> Path:
    """The file of a framework shipped with consult, e.g. `piemonte-2018`."""
    return BUNDLED_DIR / f"{code}.yaml"


def resolve(name_or_path: str) -> Path:
    """Accept a path to a file or the code of a bundled framework."""
    path = Path(name_or_path)
    if path.exists():
        return path
    bundled = bundled_path(name_or_path)
    if bundled.exists():
        return bundled
    raise FrameworkError(f"{name_or_path}: no such file and no bundled framework of that code")


def parse(path: Path) -> FrameworkSpec:
    """Read and validate a framework file without touching the database."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError(f"{path}: cannot read the file ({exc})") from exc
    try:
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix == ".json" else "YAML"
        raise FrameworkError(f"{path}: not valid {kind}: {exc}") from exc
    if not isinstance(data, dict):
        raise FrameworkError(
            f"{path}: the top level must be a mapping with code, title, objectives"
        )
    try:
        return FrameworkSpec.model_validate(data)
    except ValidationError as exc:
        raise FrameworkError(f"{path}:\n" + _describe(exc)) from exc


def _describe(exc: ValidationError) -> str:
    return "\n".join(
        f"  {location}: {message}" if location else f"  {message}"
        for location, message in locate_errors(exc)
    )


# The schema's own checks name the place at the start of their message: "objectives[3].axis: ..."
_PLACED = re.compile(
    r"^(?P<location>[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (?P<rest>.*)$", re.S
)


def locate_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """Every validation error as (location such as ``objectives[2].kind``, message)."""
    found = []
    for error in exc.errors():
        location = "".join(
            f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
        ).lstrip(".")
        message = error["msg"].removeprefix("Value error, ")
        placed = _PLACED.match(message)
        if not location and placed:
            location, message = placed["location"], placed["rest"]
        found.append((location, message))
    return found


def load(db: Session, path: Path) -> Framework:
    """Validate then upsert a framework by codes; loading the same file twice changes nothing."""
    return store(db, parse(path))


def store(db: Session, spec: FrameworkSpec) -> Framework:
    """Upsert a validated framework (and its consultation, if it names one) by codes."""
    framework = db.exec(select(Framework).where(Framework.code == spec.code)).first()
    if framework is None:
        framework = Framework(code=spec.code, title=spec.title)
    framework.title, framework.description, framework.source = (
        spec.title,
        spec.description,
        spec.source,
    )
    db.add(framework)
    db.flush()
    assert framework.id is not None
    _upsert_axes(db, framework.id, spec)
    _upsert_objectives(db, framework.id, spec)
    _upsert_territories(db, framework.id, spec)
    if spec.consultation is not None:
        _upsert_consultation(db, framework.id, spec)
    db.flush()
    return framework


def _upsert_axes(db: Session, framework_id: int, spec: FrameworkSpec) -> None:
    existing = {a.number: a for a in db.exec(select(Axis).where(Axis.framework_id == framework_id))}
    for axis_spec in spec.axes:
        axis = existing.get(axis_spec.number) or Axis(
            framework_id=framework_id, number=axis_spec.number, title=axis_spec.title
        )
        axis.title, axis.description = axis_spec.title, axis_spec.description
        db.add(axis)


def _upsert_objectives(db: Session, framework_id: int, spec: FrameworkSpec) -> None:
    query = select(Objective).where(Objective.framework_id == framework_id)
    existing = {objective.code: objective for objective in db.exec(query)}
    for position, item in enumerate(spec.objectives):
        objective = existing.get(item.code) or Objective(
            framework_id=framework_id, code=item.code, kind=item.kind, title=item.title
        )
        objective.kind, objective.axis_number = item.kind, item.axis
        objective.title, objective.description = item.title, item.description
        objective.keywords, objective.position = list(item.keywords), position
        objective.examples = list(item.examples)
        db.add(objective)


def _upsert_territories(db: Session, framework_id: int, spec: FrameworkSpec) -> None:
    """By code within the framework: another framework's territory of the same code is left be."""
    query = select(Territory).where(Territory.framework_id == framework_id)
    existing = {territory.code: territory for territory in db.exec(query)}
    by_code: dict[str, Territory] = {}
    for item in spec.territories:  # parents come first or are resolved in the second pass
        territory = existing.get(item.code) or Territory(
            framework_id=framework_id, code=item.code, name=item.name, kind=item.kind
        )
        territory.name, territory.kind = item.name, item.kind
        territory.article = article_for(item.name, stated=item.article)
        db.add(territory)
        by_code[item.code] = territory
    db.flush()
    for item in spec.territories:
        parent = by_code[item.parent] if item.parent else None
        by_code[item.code].parent_id = parent.id if parent else None


def _upsert_consultation(db: Session, framework_id: int, spec: FrameworkSpec) -> None:
    assert spec.consultation is not None
    item = spec.consultation
    consultation = db.exec(select(Consultation).where(Consultation.slug == item.slug)).first()
    consultation = consultation or Consultation(
        slug=item.slug, title=item.title, framework_id=framework_id
    )
    consultation.title, consultation.description = item.title, item.description
    consultation.framework_id = framework_id
    db.add(consultation)
    db.flush()
    assert consultation.id is not None
    query = select(Phase).where(Phase.consultation_id == consultation.id)
    existing = {phase.position: phase for phase in db.exec(query)}
    for position, phase_spec in enumerate(item.phases):
        phase = existing.pop(position, None) or Phase(
            consultation_id=consultation.id, position=position, name=phase_spec.name
        )
        phase.name, phase.description = phase_spec.name, phase_spec.description
        phase.starts_on, phase.ends_on = phase_spec.starts_on, phase_spec.ends_on
        db.add(phase)
    for stale in existing.values():
        db.delete(stale)
