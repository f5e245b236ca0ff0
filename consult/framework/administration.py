"""What the administration changes in a consultation, each change in the audit log."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from consult.common import audit
from consult.common.models import utcnow
from consult.framework import consultations, loader, services
from consult.framework.models import (
    DEFAULT_CONSULTATION,
    Consultation,
    Objective,
    Phase,
    SiteSetting,
)
from consult.framework.phases import ALLOWANCES
from consult.framework.schema import FrameworkSpec

TEXT_FIELDS = (
    "title",
    "description",
    "is_active",
    "privacy_controller",
    "privacy_dpo",
    "privacy_purposes",
    "privacy_legal_basis",
    "privacy_retention",
    "privacy_recipients",
    "privacy_example",
)
OBJECTIVE_FIELDS = ("title", "description", "keywords")


class SlugTaken(ValueError):
    """Another consultation already has this slug."""


@dataclass(frozen=True)
class PhaseValues:
    name: str
    description: str
    starts_on: date | None
    ends_on: date | None
    allows: frozenset[str]  # keys of phases.ALLOWANCES


def create(db: Session, spec: FrameworkSpec, *, actor_id: int | None) -> Consultation:
    """A new consultation with its framework, territories and phases from a validated file."""
    assert spec.consultation is not None
    if consultations.by_slug(db, spec.consultation.slug) is not None:
        raise SlugTaken(spec.consultation.slug)
    framework = loader.store(db, spec)
    consultation = consultations.by_slug(db, spec.consultation.slug)
    assert consultation is not None and consultation.id is not None
    audit.record(
        db,
        actor_id=actor_id,
        action="consultation.created",
        entity_type="consultation",
        entity_id=consultation.id,
        after={
            "slug": consultation.slug,
            "framework": framework.code,
            "objectives": [o.code for o in spec.objectives],
            "phases": [p.name for p in spec.consultation.phases],
        },
    )
    return consultation


def _state(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in fields}


def update_texts(
    db: Session, consultation: Consultation, values: dict[str, Any], *, actor_id: int | None
) -> None:
    _update(db, consultation, TEXT_FIELDS, values, "consultation", actor_id=actor_id)


def _update(
    db: Session,
    row: Consultation | Objective,
    fields: tuple[str, ...],
    values: dict[str, Any],
    entity_type: str,
    *,
    actor_id: int | None,
) -> None:
    """Set `fields` of `row` from `values`, with the audit entry of the state before and after."""
    before = _state(row, fields)
    for name in fields:
        setattr(row, name, values[name])
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=f"{entity_type}.updated",
        entity_type=entity_type,
        entity_id=row.id or 0,
        before=before,
        after=_state(row, fields),
    )


def _phase_state(phase: Phase) -> dict[str, Any]:
    state: dict[str, Any] = _state(phase, ("name", "description"))
    for name in ("starts_on", "ends_on"):
        day = getattr(phase, name)
        state[name] = day.isoformat() if day else None
    state["allows"] = sorted(key for key, flag in ALLOWANCES.items() if getattr(phase, flag))
    return state


def save_phases(
    db: Session, consultation: Consultation, rows: list[PhaseValues], *, actor_id: int | None
) -> None:
    """Replace the consultation's phases by `rows`, in their order."""
    assert consultation.id is not None
    existing = services.phases(db, consultation.id)
    before = [_phase_state(p) for p in existing]
    for phase in existing[len(rows) :]:
        db.delete(phase)
    for position, row in enumerate(rows):
        phase = (
            existing[position]
            if position < len(existing)
            else Phase(consultation_id=consultation.id, name=row.name)
        )
        phase.position, phase.name, phase.description = position, row.name, row.description
        phase.starts_on, phase.ends_on = row.starts_on, row.ends_on
        for key, flag in ALLOWANCES.items():
            setattr(phase, flag, key in row.allows)
        db.add(phase)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="consultation.phases_updated",
        entity_type="consultation",
        entity_id=consultation.id,
        before={"phases": before},
        after={"phases": [_phase_state(p) for p in services.phases(db, consultation.id)]},
    )


def set_default(
    db: Session, consultation: Consultation, *, configured: str, actor_id: int | None
) -> None:
    """Make `consultation` the site's default (its home, where the old single-consultation
    addresses lead), stored in the database, with the audit entry of the default before."""
    before = consultations.current(db, configured)
    setting = db.get(SiteSetting, DEFAULT_CONSULTATION) or SiteSetting(name=DEFAULT_CONSULTATION)
    setting.value, setting.updated_at = consultation.slug, utcnow()
    db.add(setting)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="site.default_consultation",
        entity_type="consultation",
        entity_id=consultation.id or 0,
        before={"default": before.slug if before is not None else None},
        after={"default": consultation.slug},
    )


def update_objective(
    db: Session, objective: Objective, values: dict[str, Any], *, actor_id: int | None
) -> None:
    values = dict(values, keywords=list(values["keywords"]))
    _update(db, objective, OBJECTIVE_FIELDS, values, "objective", actor_id=actor_id)


def objective_of(db: Session, consultation: Consultation, objective_id: int) -> Objective | None:
    objective = db.get(Objective, objective_id)
    if objective is None or objective.framework_id != consultation.framework_id:
        return None
    return objective
