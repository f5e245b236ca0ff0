"""Live sessions: rooms that phones join by short code to send proposals during a meeting."""

import re
import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from ..models import (
    Axis,
    Consultation,
    Contribution,
    LiveSession,
    Meeting,
    Objective,
    WorkingGroup,
)
from ..models._base import utcnow
from . import audit, live_classification
from .objective_assignment import DEFAULT_THRESHOLD, assign_objectives, current_run
from .tokens import new_tracking_token

# No 0/O, 1/I/L: a code read aloud or from a projector must not be mistyped.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# What a typed code may look like (also accepts older or hand-chosen codes such as DEMO42).
CODE_PATTERN = re.compile(r"^[A-Z0-9]{4,12}$")
PROJECTOR_LIMIT = 40


class LiveSessionError(ValueError):
    """A request the session's state refuses; the web layer explains it in Italian."""


@dataclass(frozen=True)
class LiveProposal:
    text: str
    territory_id: int | None
    participant_role: str | None
    working_group_id: int | None
    idempotency_key: str
    join_token: str | None = None


def normalise_code(raw: str | None) -> str | None:
    """Upper-case, drop spaces and dashes; None when it cannot be a code at all."""
    code = re.sub(r"[\s-]", "", raw or "").upper()
    return code if CODE_PATTERN.match(code) else None


def new_code(db: Session) -> str:
    """A fresh unique code of 6 unambiguous characters."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if db.exec(select(LiveSession.id).where(LiveSession.code == code)).first() is None:
            return code


def by_code(db: Session, raw: str | None) -> LiveSession | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.exec(select(LiveSession).where(LiveSession.code == code)).first()


def open_session(
    db: Session,
    meeting: Meeting,
    *,
    actor_id: int,
    moderation: str = "pre",
    groups: list[str] = (),
    groups_per_axis: bool = False,
    code: str | None = None,
) -> LiveSession:
    """Open a live session with its working groups; a closed meeting cannot have one."""
    if meeting.status == "closed":
        raise LiveSessionError("meeting-closed")
    if moderation not in ("pre", "post"):
        raise LiveSessionError("moderation")
    live = LiveSession(meeting_id=meeting.id, code=code or new_code(db), moderation=moderation)
    db.add(live)
    db.flush()
    names: list[tuple[str, int | None]] = []
    if groups_per_axis:
        names += [(f"Asse {a.number} · {a.title}", a.number) for a in _axes(db, meeting)]
    names += [(name.strip()[:200], None) for name in groups if name.strip()]
    for position, (name, axis_number) in enumerate(names):
        db.add(
            WorkingGroup(
                live_session_id=live.id, name=name, axis_number=axis_number, position=position
            )
        )
    audit.record(
        db,
        actor_id=actor_id,
        action="live_session.open",
        entity_type="live_session",
        entity_id=live.id,
        after={"code": live.code, "moderation": moderation, "groups": [n for n, _ in names]},
    )
    db.flush()
    return live


def _axes(db: Session, meeting: Meeting) -> list[Axis]:
    consultation = db.get(Consultation, meeting.consultation_id)
    return list(
        db.exec(
            select(Axis).where(Axis.framework_id == consultation.framework_id).order_by(Axis.number)
        )
    )


def close_session(db: Session, live: LiveSession, *, actor_id: int) -> None:
    if live.status == "closed":
        return
    live.status, live.closed_at = "closed", utcnow()
    db.add(live)
    audit.record(
        db,
        actor_id=actor_id,
        action="live_session.close",
        entity_type="live_session",
        entity_id=live.id,
        after={"status": "closed"},
    )
    db.flush()


def working_groups(db: Session, live_session_id: int) -> list[WorkingGroup]:
    return list(
        db.exec(
            select(WorkingGroup)
            .where(WorkingGroup.live_session_id == live_session_id)
            .order_by(WorkingGroup.position)
        )
    )


def submit(db: Session, live: LiveSession, proposal: LiveProposal) -> tuple[Contribution, bool]:
    """Store a proposal from a phone; the same idempotency key twice stores one row.

    Returns the contribution and whether it was created now (False for a repeated tap).
    """
    if live.status != "open":
        raise LiveSessionError("closed")
    meeting = db.get(Meeting, live.meeting_id)
    existing = _by_key(db, meeting.consultation_id, proposal.idempotency_key)
    if existing is not None:
        return existing, False
    now = utcnow()
    published = live.moderation == "post"
    contribution = Contribution(
        consultation_id=meeting.consultation_id,
        text=proposal.text,
        channel="live",
        territory_id=proposal.territory_id or meeting.territory_id,
        meeting_id=meeting.id,
        live_session_id=live.id,
        working_group_id=proposal.working_group_id,
        participant_role=proposal.participant_role,
        status="published" if published else "pending",
        published_at=now if published else None,
        tracking_token=new_tracking_token(),
        idempotency_key=proposal.idempotency_key,
        provenance={"source": "live", "session": live.code},
        consent_at=now,
    )
    try:
        with db.begin_nested():
            db.add(contribution)
    except IntegrityError:  # a concurrent double tap won the race: return its row
        return _by_key(db, meeting.consultation_id, proposal.idempotency_key), False
    return contribution, True


def _by_key(db: Session, consultation_id: int, key: str) -> Contribution | None:
    return db.exec(
        select(Contribution).where(
            Contribution.consultation_id == consultation_id,
            Contribution.idempotency_key == key,
        )
    ).first()


def projected(db: Session, live_session_id: int) -> list[Contribution]:
    """What the projector shows: published proposals, highlighted first, newest first."""
    return list(
        db.exec(
            select(Contribution)
            .where(
                Contribution.live_session_id == live_session_id,
                Contribution.status == "published",
            )
            .order_by(
                col(Contribution.highlighted).desc(),
                col(Contribution.published_at).desc(),
                col(Contribution.id).desc(),
            )
            .limit(PROJECTOR_LIMIT)
        )
    )


def counts_by_status(db: Session, live_session_id: int) -> dict[str, int]:
    rows = db.exec(
        select(Contribution.status, func.count())
        .where(Contribution.live_session_id == live_session_id)
        .group_by(Contribution.status)
    ).all()
    return {status: count for status, count in rows}


def objective_counts(
    db: Session, live: LiveSession, *, threshold: float = DEFAULT_THRESHOLD
) -> list[tuple[Objective, int]]:
    """Published proposals per objective (their best one): the shared rule of
    `objective_assignment` for what is stored, else the current model's assignment (the
    seam), else the author's suggestion. Off-strategy and unknown proposals are not counted.
    """
    meeting = db.get(Meeting, live.meeting_id)
    consultation = db.get(Consultation, meeting.consultation_id)
    objectives = list(
        db.exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(Objective.position)
        )
    )
    by_code = {o.code: o for o in objectives}
    code_of = {o.id: o.code for o in objectives}
    published = db.exec(
        select(Contribution).where(
            Contribution.live_session_id == live.id, Contribution.status == "published"
        )
    ).all()
    stored = assign_objectives(db, published, threshold=threshold)
    run = current_run(db, consultation.id)
    counts: dict[int, int] = {}
    for contribution in published:
        found = stored[contribution.id]
        if found.source in ("suggested", "unmapped"):
            guess = live_classification.objective_for(
                contribution.text,
                code_of.get(contribution.suggested_objective_id),
                model_path=run.model_path if run else None,
                threshold=threshold,
            )
            objective = by_code.get(guess[0]) if guess else None
            objective_id = objective.id if objective else None
        else:
            objective_id = found.objective_ids[0]
        if objective_id is not None:
            counts[objective_id] = counts.get(objective_id, 0) + 1
    return [(o, counts.get(o.id, 0)) for o in objectives]
