"""Live sessions: rooms that phones join by short code to send proposals during a meeting."""

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from consult.accounts.models import User
from consult.analysis import assignment_store, live_classification
from consult.analysis.assignment import DEFAULT_THRESHOLD
from consult.analysis.models import ContributionAssignment
from consult.common import audit
from consult.common.models import utcnow
from consult.framework import phases
from consult.framework.models import Axis, Consultation, Objective
from consult.live import polls, priorities
from consult.meetings import services as meetings
from consult.meetings.models import LiveSession, Meeting, WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals import services as proposals
from consult.proposals.models import Contribution

# No 0/O, 1/I/L: a code read aloud or from a projector must not be mistyped.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# What a typed code may look like: lenient, so a code from before the rule still opens its room.
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


def follows_code_rule(code: str) -> bool:
    """Whether a code is one the product would hand out: 6 characters without look-alikes."""
    return len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)


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
    groups: Iterable[str] = (),
    groups_per_axis: bool = False,
    code: str | None = None,
) -> LiveSession:
    """Open a live session with its working groups; a closed meeting cannot have one, nor a
    consultation whose running phase allows no live sessions (ParticipationClosed)."""
    phases.check(db, meeting.consultation_id, "live")
    if meeting.status == "closed":
        raise LiveSessionError("meeting-closed")
    if moderation not in ("pre", "post"):
        raise LiveSessionError("moderation")
    if code is not None and not follows_code_rule(code):
        raise LiveSessionError("code")  # a chosen code obeys the same rule as a drawn one
    live = LiveSession(
        meeting_id=stored_id(meeting), code=code or new_code(db), moderation=moderation
    )
    db.add(live)
    db.flush()
    names: list[tuple[str, int | None]] = []
    if groups_per_axis:
        names += [(f"Asse {a.number} · {a.title}", a.number) for a in _axes(db, meeting)]
    names += [(name.strip()[:200], None) for name in groups if name.strip()]
    for position, (name, axis_number) in enumerate(names):
        db.add(
            WorkingGroup(
                live_session_id=stored_id(live),
                name=name,
                axis_number=axis_number,
                position=position,
            )
        )
    audit.record(
        db,
        actor_id=actor_id,
        action="live_session.open",
        entity_type="live_session",
        entity_id=stored_id(live),
        after={"code": live.code, "moderation": moderation, "groups": [n for n, _ in names]},
    )
    db.flush()
    return live


def _consultation(db: Session, meeting: Meeting) -> Consultation:
    consultation = db.get(Consultation, meeting.consultation_id)
    if consultation is None:
        raise LookupError(f"meeting {meeting.id} has no consultation")
    return consultation


def _meeting(db: Session, live: LiveSession) -> Meeting:
    meeting = db.get(Meeting, live.meeting_id)
    if meeting is None:
        raise LookupError(f"live session {live.id} has no meeting")
    return meeting


def _axes(db: Session, meeting: Meeting) -> list[Axis]:
    framework_id = _consultation(db, meeting).framework_id
    return list(
        db.exec(select(Axis).where(Axis.framework_id == framework_id).order_by(col(Axis.number)))
    )


def close_session(db: Session, live: LiveSession, *, actor_id: int) -> None:
    """Close the room; its open priorities rounds and polls close too, their results frozen."""
    if live.status == "closed":
        return
    for round_ in priorities.rounds(db, stored_id(live)):
        if round_.status == "open":
            priorities.close_round(db, round_, actor_id=actor_id)
    for poll in polls.polls(db, stored_id(live)):
        if poll.status == "open":
            polls.close_poll(db, poll, actor_id=actor_id)
    live.status, live.closed_at = "closed", utcnow()
    db.add(live)
    audit.record(
        db,
        actor_id=actor_id,
        action="live_session.close",
        entity_type="live_session",
        entity_id=stored_id(live),
        after={"status": "closed"},
    )
    db.flush()


def working_groups(db: Session, live_session_id: int) -> list[WorkingGroup]:
    return list(
        db.exec(
            select(WorkingGroup)
            .where(WorkingGroup.live_session_id == live_session_id)
            .order_by(col(WorkingGroup.position))
        )
    )


def submit(db: Session, live: LiveSession, proposal: LiveProposal) -> tuple[Contribution, bool]:
    """Store a proposal from a phone; the same idempotency key twice stores one row.

    Returns the contribution and whether it was created now (False for a repeated tap).
    """
    if live.status != "open":
        raise LiveSessionError("closed")
    meeting = _meeting(db, live)
    published = live.moderation == "post"
    draft = proposals.Draft(
        consultation_id=meeting.consultation_id,
        text=proposal.text,
        channel="live",
        provenance={"source": "live", "session": live.code},
        status="published" if published else "pending",
        idempotency_key=proposal.idempotency_key,
        territory_id=proposal.territory_id or meeting.territory_id,
        meeting_id=meeting.id,
        live_session_id=live.id,
        working_group_id=proposal.working_group_id,
        participant_role=proposal.participant_role,
        consented=True,
    )
    contribution, created = proposals.create(db, draft, actor_id=None)
    if created and published:  # publish-then-moderate: it counts like an approved proposal
        live_classification.record(db, [contribution])
    return contribution, created


def projected(
    db: Session, live_session_id: int, group_id: int | None = None, limit: int = PROJECTOR_LIMIT
) -> list[Contribution]:
    """What the projector shows: published proposals (of one working group, if given),
    highlighted first, newest first."""
    query = select(Contribution).where(
        Contribution.live_session_id == live_session_id, Contribution.status == "published"
    )
    if group_id is not None:
        query = query.where(Contribution.working_group_id == group_id)
    return list(
        db.exec(
            query.order_by(
                col(Contribution.highlighted).desc(),
                col(Contribution.published_at).desc(),
                col(Contribution.id).desc(),
            ).limit(limit)
        )
    )


def counts_by_status(
    db: Session, live_session_id: int, group_id: int | None = None
) -> dict[str, int]:
    query = select(Contribution.status, func.count()).where(
        Contribution.live_session_id == live_session_id
    )
    if group_id is not None:
        query = query.where(Contribution.working_group_id == group_id)
    rows = db.exec(query.group_by(Contribution.status)).all()
    return {status: count for status, count in rows}


def objective_counts(
    db: Session,
    live: LiveSession,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    group_id: int | None = None,
) -> list[tuple[Objective, int]]:
    """Published proposals of the session per objective, by the shared assignment rule.

    The same rule as the coverage matrix, the report and the API (`analysis.assignment`):
    live approvals are stored as the current run's model mappings, so they count at once.
    """
    consultation = _consultation(db, _meeting(db, live))
    objectives = list(
        db.exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(col(Objective.position))
        )
    )
    row = ContributionAssignment
    query = (
        select(col(row.objective_id), func.count())
        .join(Contribution, col(Contribution.id) == row.contribution_id)
        .where(
            Contribution.live_session_id == live.id,
            Contribution.status == "published",
            col(row.objective_id).is_not(None),
            assignment_store.counted(threshold),
        )
    )
    if group_id is not None:
        query = query.where(Contribution.working_group_id == group_id)
    counted = db.exec(query.group_by(col(row.objective_id))).all()
    counts: dict[int, int] = {oid: n for oid, n in counted if oid is not None}
    return [(o, counts.get(stored_id(o), 0)) for o in objectives]


def account_still_signed_in(db: Session, user_id: int, session_version: int) -> bool:
    """Whether the account that opened a staff stream may still see it: active, and not
    logged out everywhere since (which bumps its session version)."""
    user = db.get(User, user_id)
    return user is not None and user.active and user.session_version == session_version


def get_live_session(db: Session, live_session_id: int) -> LiveSession | None:
    return db.get(LiveSession, live_session_id)


def get_group(db: Session, live_session_id: int, group_id: int) -> WorkingGroup | None:
    group = db.get(WorkingGroup, group_id)
    return group if group is not None and group.live_session_id == live_session_id else None


GROUP_COLUMN_LIMIT = 6


def projector_state(
    db: Session,
    live: LiveSession,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    group: WorkingGroup | None = None,
) -> dict[str, Any]:
    """What the projector's live part shows, for the plenary or one working group: proposals,
    counts per objective (the shared assignment rule) and per state, the running round or poll;
    the plenary also shows every group side by side."""
    live_id = stored_id(live)
    group_id = stored_id(group) if group is not None else None
    items = projected(db, live_id, group_id)
    round_ = priorities.open_round_of(db, live_id, group_id)
    poll = polls.open_poll_of(db, live_id, group_id)
    groups = working_groups(db, live_id) if group is None else []
    return {
        "live": live,
        "group": group,
        "highlighted": [c for c in items if c.highlighted],
        "items": [c for c in items if not c.highlighted],
        "objective_counts": [
            (o, n)
            for o, n in objective_counts(db, live, threshold=threshold, group_id=group_id)
            if n
        ],
        "counts": counts_by_status(db, live_id, group_id),
        "round": (round_, priorities.tally(db, round_)) if round_ else None,
        "poll": (poll, polls.result(db, poll)) if poll else None,
        "group_columns": [
            (g, projected(db, live_id, stored_id(g), limit=GROUP_COLUMN_LIMIT)) for g in groups
        ],
        "group_names": {g.id: g.name for g in working_groups(db, live_id)},
    }


def assign_group_facilitator(
    db: Session, group: WorkingGroup, user_id: int | None, *, actor_id: int
) -> None:
    """Put one of the meeting's facilitators in charge of a group (None: nobody in particular)."""
    live = db.get(LiveSession, group.live_session_id)
    if live is None:
        raise LookupError(f"working group {group.id} has no session")
    if user_id is not None and user_id not in meetings.facilitator_ids(db, live.meeting_id):
        raise LiveSessionError("facilitator")
    before = group.facilitator_id
    group.facilitator_id = user_id
    db.add(group)
    audit.record(
        db,
        actor_id=actor_id,
        action="working_group.facilitator",
        entity_type="working_group",
        entity_id=stored_id(group),
        before={"facilitator_id": before},
        after={"facilitator_id": user_id},
    )
    db.flush()
