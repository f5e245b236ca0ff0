"""Fast entry: a facilitator types in what was said in the room or written on paper forms."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from consult.accountability.models import Response
from consult.analysis.models import ContributionTheme, ObjectiveMapping
from consult.common import audit
from consult.common.models import utcnow
from consult.framework.models import Consultation, Objective
from consult.meetings.models import LiveSession, Meeting, WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals import services as proposals
from consult.proposals.models import AbuseReport, Comment, Contribution, Support

ENTRY_CHANNELS = ("meeting", "paper")
UNDO_WINDOW = timedelta(minutes=30)
REFERENCES = (
    (Support, "contribution_id"),
    (Comment, "contribution_id"),
    (AbuseReport, "contribution_id"),
    (ContributionTheme, "contribution_id"),
    (ObjectiveMapping, "contribution_id"),
    (Response, "contribution_id"),
    (Contribution, "merged_into_id"),
)


@dataclass
class EntryInput:
    """What the facilitator typed; text already cleaned and validated."""

    text: str
    channel: str
    territory_id: int | None = None
    participant_role: str | None = None
    working_group_id: int | None = None
    suggested_objective_id: int | None = None
    author_name: str | None = None
    note: str = ""


def enter(
    db: Session, meeting: Meeting, entry: EntryInput, *, actor_id: int, idempotency_key: str
) -> tuple[Contribution, bool]:
    """Store one published proposal; a repeated key returns the first one (created=False)."""
    provenance: dict[str, Any] = {"entered_by": actor_id, "source": "fast-entry"}
    if entry.note:
        provenance["note"] = entry.note
    draft = proposals.Draft(
        consultation_id=meeting.consultation_id,
        text=entry.text,
        channel=entry.channel,
        provenance=provenance,
        idempotency_key=idempotency_key,
        meeting_id=meeting.id,
        live_session_id=_session_of_group(db, entry.working_group_id),
        territory_id=entry.territory_id,
        participant_role=entry.participant_role,
        working_group_id=entry.working_group_id,
        suggested_objective_id=entry.suggested_objective_id,
        author_name=entry.author_name,
    )
    return proposals.create(db, draft, actor_id=actor_id, action="contribution.entered")


def find_by_key(db: Session, consultation_id: int, key: str) -> Contribution | None:
    return db.exec(
        select(Contribution).where(
            Contribution.consultation_id == consultation_id, Contribution.idempotency_key == key
        )
    ).first()


def _session_of_group(db: Session, group_id: int | None) -> int | None:
    group = db.get(WorkingGroup, group_id) if group_id else None
    return group.live_session_id if group else None


def meeting_groups(db: Session, meeting_id: int) -> list[WorkingGroup]:
    """Working groups of the meeting's live sessions, for the optional group field."""
    return list(
        db.exec(
            select(WorkingGroup)
            .join(LiveSession, col(LiveSession.id) == col(WorkingGroup.live_session_id))
            .where(LiveSession.meeting_id == meeting_id)
            .order_by(col(WorkingGroup.live_session_id), col(WorkingGroup.position))
        ).all()
    )


def meeting_objectives(db: Session, meeting: Meeting) -> list[Objective]:
    """The objectives of the meeting's framework, in order, for the suggested objective field."""
    consultation = db.get(Consultation, meeting.consultation_id)
    if consultation is None:
        return []
    return list(
        db.exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(col(Objective.position))
        ).all()
    )


def meeting_entry(db: Session, meeting_id: int, contribution_id: int) -> Contribution | None:
    """One of the meeting's proposals, None when missing or linked to another meeting."""
    return db.exec(
        select(Contribution).where(
            col(Contribution.id) == contribution_id, Contribution.meeting_id == meeting_id
        )
    ).first()


def recent_entries(db: Session, meeting_id: int, limit: int = 30) -> list[Contribution]:
    """The meeting's proposals said in the room or on paper, newest first."""
    return list(
        db.exec(
            select(Contribution)
            .where(
                Contribution.meeting_id == meeting_id,
                col(Contribution.channel).in_(ENTRY_CHANNELS),
            )
            .order_by(col(Contribution.created_at).desc(), col(Contribution.id).desc())
            .limit(limit)
        ).all()
    )


def can_undo(contribution: Contribution, *, actor_id: int, is_admin: bool = False) -> bool:
    """Only a fresh fast-entry item, by whoever typed it (or an admin), may be taken back."""
    provenance = contribution.provenance or {}
    if provenance.get("source") != "fast-entry":
        return False
    if not is_admin and provenance.get("entered_by") != actor_id:
        return False
    created = contribution.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=utcnow().tzinfo)
    return utcnow() - created <= UNDO_WINDOW


def is_referenced(db: Session, contribution_id: int) -> bool:
    """Whether anything points at the item (supports, comments, themes...): then it stays."""
    for model, column in REFERENCES:
        found = db.exec(select(model).where(getattr(model, column) == contribution_id)).first()
        if found is not None:
            return True
    return False


def undo(db: Session, contribution: Contribution, *, actor_id: int) -> None:
    """Delete a just-entered item nobody has reacted to yet, keeping an audit entry."""
    audit.record(
        db,
        actor_id=actor_id,
        action="contribution.entry_undone",
        entity_type="contribution",
        entity_id=stored_id(contribution),
        before={"meeting_id": contribution.meeting_id, "text": contribution.text},
    )
    db.delete(contribution)
    db.flush()
