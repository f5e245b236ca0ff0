"""Fast entry: a facilitator types in what was said in the room or written on paper forms."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..models import (
    AbuseReport,
    Comment,
    Contribution,
    ContributionTheme,
    LiveSession,
    Meeting,
    ObjectiveMapping,
    Response,
    Support,
    WorkingGroup,
)
from ..models._base import utcnow
from . import audit
from .tokens import new_tracking_token

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
    existing = find_by_key(db, meeting.consultation_id, idempotency_key)
    if existing is not None:
        return existing, False
    now = utcnow()
    provenance = {"entered_by": actor_id, "source": "fast-entry"}
    if entry.note:
        provenance["note"] = entry.note
    contribution = Contribution(
        consultation_id=meeting.consultation_id,
        meeting_id=meeting.id,
        live_session_id=_session_of_group(db, entry.working_group_id),
        text=entry.text,
        channel=entry.channel,
        territory_id=entry.territory_id,
        participant_role=entry.participant_role,
        working_group_id=entry.working_group_id,
        suggested_objective_id=entry.suggested_objective_id,
        author_name=entry.author_name or None,
        status="published",
        published_at=now,
        tracking_token=new_tracking_token(),
        idempotency_key=idempotency_key,
        provenance=provenance,
    )
    try:
        with db.begin_nested():
            db.add(contribution)
    except IntegrityError:  # the same key committed by a concurrent request
        return find_by_key(db, meeting.consultation_id, idempotency_key), False
    audit.record(
        db,
        actor_id=actor_id,
        action="contribution.entered",
        entity_type="contribution",
        entity_id=contribution.id,
        after={"meeting_id": meeting.id, "channel": entry.channel, "text": entry.text},
    )
    return contribution, True


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
        entity_id=contribution.id,
        before={"meeting_id": contribution.meeting_id, "text": contribution.text},
    )
    db.delete(contribution)
    db.flush()
