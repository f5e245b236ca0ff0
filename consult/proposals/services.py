"""The one way a proposal is made, on every channel; finding it by id or by tracking token."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.common.text_rules import text_problem
from consult.common.tokens import new_tracking_token
from consult.framework import phases
from consult.framework.models import Objective, Territory
from consult.proposals.models import Contribution


class ProposalTextError(ValueError):
    """The text breaks the one proposal text rule; `message` is untranslated Italian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Draft:
    """A proposal as any channel hands it in: online, live, fast entry, import or demo."""

    consultation_id: int
    text: str
    channel: str
    provenance: dict[str, Any]
    status: str = "published"
    idempotency_key: str | None = None
    title: str = ""
    territory_id: int | None = None
    participant_role: str | None = None
    suggested_objective_id: int | None = None
    meeting_id: int | None = None
    live_session_id: int | None = None
    working_group_id: int | None = None
    author_id: int | None = None
    author_name: str | None = None
    author_email: str | None = None
    consented: bool = False
    created_at: datetime | None = None
    published_at: datetime | None = None


def create(
    db: Session, draft: Draft, *, actor_id: int | None, action: str = "contribution.submitted"
) -> tuple[Contribution, bool]:
    """Store a proposal once per idempotency key, with its audit entry; return it and whether
    it is new.

    Every channel comes through here, so every proposal obeys the one text rule and gets exactly
    one audit row. A retry (double click, reload) sends the same key and text and gets the same
    proposal back; the same key with another text is a form reused after going back, and
    becomes a new proposal instead of silently dropping what was typed.
    """
    problem = text_problem(draft.text)
    if problem:
        raise ProposalTextError(problem)
    if draft.idempotency_key:
        existing = by_idempotency_key(db, draft.consultation_id, draft.idempotency_key)
        if existing is not None:
            if (existing.text, existing.title) == (draft.text, draft.title):
                return existing, False
            draft = replace(draft, idempotency_key=new_tracking_token())
    if draft.created_at is None:  # made now (imports and the demo carry when it was made)
        phases.check_proposal(db, draft.consultation_id, draft.channel)
    contribution = _contribution(draft)
    try:
        with db.begin_nested():  # a savepoint: a lost race undoes this row only
            db.add(contribution)
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its proposal.
        winner = by_idempotency_key(db, draft.consultation_id, draft.idempotency_key or "")
        if winner is None:
            raise
        return winner, False
    audit.record(
        db,
        actor_id=actor_id,
        action=action,
        entity_type="contribution",
        entity_id=contribution.id or 0,
        after={
            "status": contribution.status,
            "channel": contribution.channel,
            "meeting_id": contribution.meeting_id,
            "live_session_id": contribution.live_session_id,
            "source": draft.provenance.get("source"),
        },
    )
    return contribution, True


def _contribution(draft: Draft) -> Contribution:
    now = utcnow()
    created = draft.created_at or now
    published_at = (draft.published_at or now) if draft.status == "published" else None
    return Contribution(
        consultation_id=draft.consultation_id,
        title=draft.title,
        text=draft.text,
        channel=draft.channel,
        territory_id=draft.territory_id,
        participant_role=draft.participant_role,
        suggested_objective_id=draft.suggested_objective_id,
        meeting_id=draft.meeting_id,
        live_session_id=draft.live_session_id,
        working_group_id=draft.working_group_id,
        author_id=draft.author_id,
        author_name=draft.author_name or None,
        author_email=draft.author_email or None,
        status=draft.status,
        published_at=published_at,
        tracking_token=new_tracking_token(),
        idempotency_key=draft.idempotency_key,
        provenance=draft.provenance,
        consent_at=now if draft.consented else None,
        created_at=created,
        updated_at=created,
    )


@dataclass(frozen=True)
class NewProposal:
    """What the author typed online, already cleaned and validated by the form."""

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
    db: Session, consultation_id: int, proposal: NewProposal, *, premoderation: bool
) -> tuple[Contribution, bool]:
    """A proposal from the online form: published at once, or pending with premoderation."""
    draft = Draft(
        consultation_id=consultation_id,
        text=proposal.text,
        title=proposal.title,
        channel="online",
        provenance={"source": "web-form"},
        status="pending" if premoderation else "published",
        idempotency_key=proposal.idempotency_key,
        territory_id=proposal.territory_id,
        participant_role=proposal.participant_role,
        suggested_objective_id=proposal.suggested_objective_id,
        author_id=proposal.author_id,
        author_name=proposal.author_name,
        author_email=proposal.author_email,
        consented=True,
    )
    return create(db, draft, actor_id=proposal.author_id)


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


def territory_id_by_code(db: Session, framework_id: int, code: str) -> int:
    """The id of the consultation's territory the form already checked exists."""
    query = select(Territory.id).where(Territory.framework_id == framework_id)
    return db.exec(query.where(Territory.code == code)).one() or 0


def objectives_of(db: Session, framework_id: int | None) -> list[Objective]:
    """The framework's objectives in their printed order, for the proposal form."""
    return list(
        db.exec(
            select(Objective)
            .where(Objective.framework_id == framework_id)
            .order_by(col(Objective.position))
        ).all()
    )


def objective_id_by_code(db: Session, framework_id: int | None, code: str) -> int | None:
    return db.exec(
        select(Objective.id).where(Objective.framework_id == framework_id, Objective.code == code)
    ).first()
