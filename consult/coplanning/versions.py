"""Strategy versions and their sections: drafts planners edit, versions that never change.

A consultation has at most one draft. Publishing it puts it in consultation (participants amend
it, meetings comment on it) or approves it; from then on its sections are locked, and the
version it replaces is marked superseded.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.coplanning.models import SectionInput, StrategySection, StrategyVersion
from consult.framework.models import Axis, Consultation, Objective

PUBLIC_STATES = ("in-consultazione", "approvata", "superata")


class VersionLocked(Exception):
    """A version in consultation or approved is never edited: the next draft is."""


@dataclass(frozen=True)
class Provenance:
    """The inputs a section of a draft takes up."""

    amendment_ids: tuple[int, ...] = ()
    meeting_comment_ids: tuple[int, ...] = ()
    contribution_ids: tuple[int, ...] = ()


def all_versions(db: Session, consultation_id: int) -> list[StrategyVersion]:
    query = select(StrategyVersion).where(StrategyVersion.consultation_id == consultation_id)
    return list(db.exec(query.order_by(col(StrategyVersion.number))).all())


def public_versions(db: Session, consultation_id: int) -> list[StrategyVersion]:
    return [v for v in all_versions(db, consultation_id) if v.status in PUBLIC_STATES]


def public_version(db: Session, consultation_id: int, number: int) -> StrategyVersion | None:
    return next((v for v in public_versions(db, consultation_id) if v.number == number), None)


def previous_public(db: Session, version: StrategyVersion) -> StrategyVersion | None:
    """The public version just before `version` (what its changes are measured against)."""
    earlier = [v for v in public_versions(db, version.consultation_id) if v.number < version.number]
    return earlier[-1] if earlier else None


def version_by_id(db: Session, consultation_id: int, version_id: int) -> StrategyVersion | None:
    version = db.get(StrategyVersion, version_id)
    return version if version and version.consultation_id == consultation_id else None


def current_draft(db: Session, consultation_id: int) -> StrategyVersion | None:
    return next((v for v in all_versions(db, consultation_id) if v.status == "bozza"), None)


def open_version(db: Session, consultation_id: int) -> StrategyVersion | None:
    """The version in consultation: the one amendments and meeting comments are about."""
    found = [v for v in all_versions(db, consultation_id) if v.status == "in-consultazione"]
    return found[-1] if found else None


def sections(db: Session, version_id: int) -> list[StrategySection]:
    query = select(StrategySection).where(StrategySection.version_id == version_id)
    return list(db.exec(query.order_by(col(StrategySection.position))).all())


def section_by_id(db: Session, section_id: int) -> StrategySection | None:
    return db.get(StrategySection, section_id)


def section_version(db: Session, section: StrategySection) -> StrategyVersion:
    version = db.get(StrategyVersion, section.version_id)
    assert version is not None  # a foreign key
    return version


def start_draft(
    db: Session, consultation: Consultation, *, actor_id: int | None
) -> StrategyVersion:
    """The consultation's draft: the existing one, else a copy of the latest version (or of
    the framework's axes and objectives when there is none yet)."""
    assert consultation.id is not None
    existing = current_draft(db, consultation.id)
    if existing is not None:
        return existing
    versions = all_versions(db, consultation.id)
    draft = StrategyVersion(
        consultation_id=consultation.id,
        number=(versions[-1].number + 1) if versions else 1,
        created_by_id=actor_id,
    )
    db.add(draft)
    db.flush()
    assert draft.id is not None
    if versions:
        copied = [(s.key, s.title, s.body) for s in sections(db, versions[-1].id or 0)]
    else:
        copied = _framework_sections(db, consultation.framework_id)
    for position, (key, title, body) in enumerate(copied):
        db.add(
            StrategySection(version_id=draft.id, key=key, position=position, title=title, body=body)
        )
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="strategy.draft",
        entity_type="strategy_version",
        entity_id=draft.id,
        after={"number": draft.number, "sections": len(copied)},
    )
    return draft


def _framework_sections(db: Session, framework_id: int) -> list[tuple[str, str, str]]:
    """Premessa, each axis followed by its objectives, the cross-cutting objectives, governance."""
    axes = db.exec(
        select(Axis).where(Axis.framework_id == framework_id).order_by(col(Axis.number))
    ).all()
    objectives = db.exec(
        select(Objective)
        .where(Objective.framework_id == framework_id)
        .order_by(col(Objective.position))
    ).all()
    found = [("premessa", "Premessa", "")]
    for axis in axes:
        found.append((f"asse-{axis.number}", f"Asse {axis.number}. {axis.title}", axis.description))
        found += [
            (o.code, o.title, o.description) for o in objectives if o.axis_number == axis.number
        ]
    axis_numbers = {axis.number for axis in axes}
    found += [
        (o.code, o.title, o.description) for o in objectives if o.axis_number not in axis_numbers
    ]
    found.append(("governance", "Governance", ""))
    return found


def ensure_draft(version: StrategyVersion) -> None:
    """Refuse any change to a version that is no longer a draft."""
    if version.status != "bozza":
        raise VersionLocked(version.number)


def update_section(
    db: Session,
    section: StrategySection,
    *,
    title: str,
    body: str,
    provenance: Provenance,
    actor_id: int | None,
) -> StrategySection:
    """Rewrite a draft's section and the inputs it took up (raises VersionLocked otherwise)."""
    ensure_draft(section_version(db, section))
    before = {"title": section.title, "body": section.body}
    section.title, section.body = title, body
    db.add(section)
    set_provenance(db, section, provenance)
    audit.record(
        db,
        actor_id=actor_id,
        action="strategy.section.update",
        entity_type="strategy_section",
        entity_id=section.id or 0,
        before=before,
        after={"title": title, "body": body, **provenance.__dict__},
    )
    return section


def set_provenance(db: Session, section: StrategySection, provenance: Provenance) -> None:
    """Replace the inputs linked to a draft's section."""
    ensure_draft(section_version(db, section))
    for row in db.exec(select(SectionInput).where(SectionInput.section_id == section.id)).all():
        db.delete(row)
    db.flush()
    assert section.id is not None
    rows = [SectionInput(section_id=section.id, amendment_id=i) for i in provenance.amendment_ids]
    rows += [
        SectionInput(section_id=section.id, meeting_comment_id=i)
        for i in provenance.meeting_comment_ids
    ]
    rows += [
        SectionInput(section_id=section.id, contribution_id=i) for i in provenance.contribution_ids
    ]
    db.add_all(rows)
    db.flush()


def provenance_of(db: Session, section_id: int) -> Provenance:
    rows = db.exec(select(SectionInput).where(SectionInput.section_id == section_id)).all()
    return Provenance(
        amendment_ids=tuple(r.amendment_id for r in rows if r.amendment_id),
        meeting_comment_ids=tuple(r.meeting_comment_id for r in rows if r.meeting_comment_id),
        contribution_ids=tuple(r.contribution_id for r in rows if r.contribution_id),
    )


def publish(
    db: Session, version: StrategyVersion, *, note: str, approve: bool, actor_id: int | None
) -> StrategyVersion:
    """Lock a draft as the version in consultation (or approved); the previous one is superseded."""
    ensure_draft(version)
    for earlier in public_versions(db, version.consultation_id):
        if earlier.status == "in-consultazione":
            earlier.status = "superata"
            db.add(earlier)
    version.status = "approvata" if approve else "in-consultazione"
    version.note = note
    version.published_at = utcnow()
    db.add(version)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="strategy.publish",
        entity_type="strategy_version",
        entity_id=version.id or 0,
        before={"status": "bozza"},
        after={"status": version.status, "number": version.number, "note": note},
    )
    return version


def section_in(
    db: Session, consultation_id: int, section_id: int
) -> tuple[StrategySection, StrategyVersion] | None:
    """A section and its version, if it belongs to this consultation's strategy."""
    section = db.get(StrategySection, section_id)
    if section is None:
        return None
    version = section_version(db, section)
    return (section, version) if version.consultation_id == consultation_id else None
