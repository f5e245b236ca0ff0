"""Submitting a proposal online; finding it by id (the public) or by token (its author)."""

from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import Consultation, Contribution, Objective, Territory
from ..models._base import utcnow
from . import audit
from .tokens import new_tracking_token


@dataclass(frozen=True)
class NewProposal:
    """What the author typed, already cleaned and validated by the form."""

    text: str
    territory_id: int
    participant_role: str
    idempotency_key: str
    title: str = ""
    suggested_objective_id: int | None = None
    author_name: str | None = None
    author_email: str | None = None
    author_id: int | None = None


def submit(
    db: Session, consultation: Consultation, proposal: NewProposal, *, premoderation: bool
) -> tuple[Contribution, bool]:
    """Store the proposal once per idempotency key; return it and whether it is new.

    A retry (double click, reload) sends the same key and text and gets the same proposal. The
    same key with another text is a form reused after going back: it becomes a new proposal.
    """
    existing = by_idempotency_key(db, consultation.id, proposal.idempotency_key)
    if existing is not None:
        if (existing.text, existing.title) == (proposal.text, proposal.title):
            return existing, False
        proposal = replace(proposal, idempotency_key=new_tracking_token())
    now = utcnow()
    contribution = Contribution(
        consultation_id=consultation.id,
        title=proposal.title,
        text=proposal.text,
        channel="online",
        territory_id=proposal.territory_id,
        participant_role=proposal.participant_role,
        suggested_objective_id=proposal.suggested_objective_id,
        author_id=proposal.author_id,
        author_name=proposal.author_name or None,
        author_email=proposal.author_email or None,
        status="pending" if premoderation else "published",
        published_at=None if premoderation else now,
        tracking_token=new_tracking_token(),
        idempotency_key=proposal.idempotency_key,
        provenance={"source": "web-form"},
        consent_at=now,
        created_at=now,
        updated_at=now,
    )
    db.add(contribution)
    try:
        db.flush()
    except IntegrityError:
        # A concurrent request with the same key won the race: show its proposal.
        db.rollback()
        winner = by_idempotency_key(db, consultation.id, proposal.idempotency_key)
        if winner is None:
            raise
        return winner, False
    audit.record(
        db,
        actor_id=proposal.author_id,
        action="contribution.submitted",
        entity_type="contribution",
        entity_id=contribution.id or 0,
        after={"status": contribution.status, "channel": "online"},
    )
    return contribution, True


def by_idempotency_key(db: Session, consultation_id: int, key: str) -> Contribution | None:
    return db.exec(
        select(Contribution).where(
            Contribution.consultation_id == consultation_id,
            Contribution.idempotency_key == key,
        )
    ).first()


def by_tracking_token(db: Session, token: str) -> Contribution | None:
    """The proposal a private tracking link points at, whatever its status."""
    if not token or len(token) > 64:
        return None
    return db.exec(select(Contribution).where(Contribution.tracking_token == token)).first()


def public_proposal(db: Session, consultation_id: int, contribution_id: int) -> Contribution | None:
    """A proposal anyone may see: published and of this consultation."""
    contribution = db.get(Contribution, contribution_id)
    if (
        contribution is None
        or contribution.consultation_id != consultation_id
        or contribution.status != "published"
    ):
        return None
    return contribution


def territory_by_id(db: Session, territory_id: int | None) -> Territory | None:
    return db.get(Territory, territory_id) if territory_id else None


def objective_by_id(db: Session, objective_id: int | None) -> Objective | None:
    return db.get(Objective, objective_id) if objective_id else None
