"""Priorities rounds: phones rank the approved proposals of the plenary or of one working group.

One ballot per phone and round (a unique row, replaced while the round is open, so a reconnect or
a double tap changes nothing); a closed round is frozen: its tally is stored with it and never
recomputed, whatever happens to the proposals afterwards.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.live import phones
from consult.live.models import ROUND_METHODS, PriorityBallot, PriorityRound
from consult.meetings.models import LiveSession, WorkingGroup
from consult.meetings.services import stored_id
from consult.proposals.models import Contribution

TOP_PICKS = 3  # top3: the first pick is worth 3 points, the second 2, the third 1
POINTS_RANGE = (1, 100)


class BallotError(ValueError):
    """A ballot or round the rules refuse; `code` names the rule, the web layer explains it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def open_round(
    db: Session,
    live: LiveSession,
    *,
    actor_id: int,
    method: str,
    points: int = 10,
    group: WorkingGroup | None = None,
) -> PriorityRound:
    """Open a round; a scope (plenary or one group) has at most one open round at a time."""
    if live.status != "open":
        raise BallotError("session-closed")
    if method not in ROUND_METHODS:
        raise BallotError("method")
    if method == "points" and not POINTS_RANGE[0] <= points <= POINTS_RANGE[1]:
        raise BallotError("points")
    group_id = stored_id(group) if group is not None else None
    if group is not None and group.live_session_id != live.id:
        raise BallotError("group")
    if open_round_of(db, stored_id(live), group_id) is not None:
        raise BallotError("already-open")
    round_ = PriorityRound(
        live_session_id=stored_id(live),
        working_group_id=group_id,
        method=method,
        points=points if method == "points" else TOP_PICKS * (TOP_PICKS + 1) // 2,
    )
    db.add(round_)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="priority_round.open",
        entity_type="priority_round",
        entity_id=stored_id(round_),
        after={"method": method, "points": round_.points, "working_group_id": group_id},
    )
    return round_


def open_round_of(db: Session, live_session_id: int, group_id: int | None) -> PriorityRound | None:
    return db.exec(
        select(PriorityRound).where(
            PriorityRound.live_session_id == live_session_id,
            PriorityRound.working_group_id == group_id,
            PriorityRound.status == "open",
        )
    ).first()


def rounds(db: Session, live_session_id: int) -> list[PriorityRound]:
    return list(
        db.exec(
            select(PriorityRound)
            .where(PriorityRound.live_session_id == live_session_id)
            .order_by(col(PriorityRound.opened_at).desc(), col(PriorityRound.id).desc())
        )
    )


def get_round(db: Session, live_session_id: int, round_id: int) -> PriorityRound | None:
    round_ = db.get(PriorityRound, round_id)
    return round_ if round_ is not None and round_.live_session_id == live_session_id else None


def candidates(db: Session, round_: PriorityRound) -> list[Contribution]:
    """What a round ranks: the approved proposals of its session (of its group, if it has one)."""
    query = select(Contribution).where(
        Contribution.live_session_id == round_.live_session_id,
        Contribution.status == "published",
    )
    if round_.working_group_id is not None:
        query = query.where(Contribution.working_group_id == round_.working_group_id)
    return list(db.exec(query.order_by(col(Contribution.id))))


def _checked(
    round_: PriorityRound, allocations: dict[int, int], allowed: set[int]
) -> dict[str, int]:
    if any(cid not in allowed for cid in allocations):
        raise BallotError("unknown")
    if any(points < 0 for points in allocations.values()):
        raise BallotError("negative")
    kept = {str(cid): points for cid, points in allocations.items() if points > 0}
    if not kept:
        raise BallotError("empty")
    if round_.method == "points" and sum(kept.values()) > round_.points:
        raise BallotError("too-many-points")
    ranks = list(range(TOP_PICKS, TOP_PICKS - len(kept), -1))
    if round_.method == "top3" and sorted(kept.values(), reverse=True) != ranks:
        raise BallotError("picks")
    return kept


def picks_to_allocations(picks: list[int | None]) -> dict[int, int]:
    """A top-3 ballot as points: first pick 3, second 2, third 1; the same proposal twice fails."""
    chosen = [p for p in picks[:TOP_PICKS] if p]
    if len(set(chosen)) != len(chosen):
        raise BallotError("duplicate")
    return {cid: TOP_PICKS - index for index, cid in enumerate(picks[:TOP_PICKS]) if cid}


def cast(
    db: Session, live: LiveSession, round_: PriorityRound, token: str, allocations: dict[int, int]
) -> PriorityBallot:
    """Store (or replace) this phone's ballot; refused once the round is closed."""
    if round_.status != "open" or live.status != "open":
        raise BallotError("round-closed")
    allowed = {stored_id(c) for c in candidates(db, round_)}
    kept = _checked(round_, allocations, allowed)
    round_id, phone_id = stored_id(round_), stored_id(phones.register(db, stored_id(live), token))

    def update(ballot: PriorityBallot) -> None:
        ballot.allocations, ballot.updated_at = kept, utcnow()

    return phones.one_per_phone(
        db,
        lambda: ballot_of(db, round_id, phone_id),
        lambda: PriorityBallot(round_id=round_id, phone_id=phone_id, allocations=kept),
        update,
    )


def ballot_of(db: Session, round_id: int, phone_id: int) -> PriorityBallot | None:
    return db.exec(
        select(PriorityBallot).where(
            PriorityBallot.round_id == round_id, PriorityBallot.phone_id == phone_id
        )
    ).first()


def phone_ballot(
    db: Session, live: LiveSession, round_: PriorityRound, token: str | None
) -> dict[int, int]:
    """This phone's current ballot as {proposal id: points}, empty when it has not voted."""
    phone = phones.find(db, stored_id(live), token) if token else None
    ballot = ballot_of(db, stored_id(round_), stored_id(phone)) if phone else None
    return {int(k): v for k, v in ballot.allocations.items()} if ballot else {}


@dataclass(frozen=True)
class TallyRow:
    contribution_id: int
    text: str
    points: int
    phones: int


@dataclass(frozen=True)
class Tally:
    method: str
    points: int
    voters: int
    rows: list[TallyRow]

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "points": self.points,
            "voters": self.voters,
            "rows": [row.__dict__ for row in self.rows],
        }


def tally(db: Session, round_: PriorityRound) -> Tally:
    """Points and phones per proposal, most points first; a closed round reads its frozen copy."""
    if round_.result is not None:
        stored = round_.result
        return Tally(
            method=stored["method"],
            points=stored["points"],
            voters=stored["voters"],
            rows=[TallyRow(**row) for row in stored["rows"]],
        )
    ballots = list(db.exec(select(PriorityBallot).where(PriorityBallot.round_id == round_.id)))
    points: dict[int, int] = {}
    voters: dict[int, int] = {}
    for ballot in ballots:
        for key, value in ballot.allocations.items():
            points[int(key)] = points.get(int(key), 0) + value
            voters[int(key)] = voters.get(int(key), 0) + 1
    rows = [
        TallyRow(stored_id(c), c.text, points.get(stored_id(c), 0), voters.get(stored_id(c), 0))
        for c in candidates(db, round_)
    ]
    rows.sort(key=lambda row: (-row.points, -row.phones, row.contribution_id))
    return Tally(method=round_.method, points=round_.points, voters=len(ballots), rows=rows)


def close_round(db: Session, round_: PriorityRound, *, actor_id: int) -> Tally:
    """Close and freeze: the tally is stored with the round and no ballot changes it any more."""
    if round_.status == "closed":
        return tally(db, round_)
    frozen = tally(db, round_)
    round_.status, round_.closed_at, round_.result = "closed", utcnow(), frozen.as_dict()
    db.add(round_)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action="priority_round.close",
        entity_type="priority_round",
        entity_id=stored_id(round_),
        after={"voters": frozen.voters},
    )
    return frozen


def closed_rounds(db: Session, live_session_ids: list[int]) -> list[PriorityRound]:
    """The frozen rounds of some sessions (a meeting's page, the report), oldest first."""
    if not live_session_ids:
        return []
    return list(
        db.exec(
            select(PriorityRound)
            .where(
                col(PriorityRound.live_session_id).in_(live_session_ids),
                PriorityRound.status == "closed",
            )
            .order_by(col(PriorityRound.closed_at), col(PriorityRound.id))
        )
    )


def with_tallies(db: Session, rounds_: list[PriorityRound]) -> list[tuple[PriorityRound, Tally]]:
    return [(round_, tally(db, round_)) for round_ in rounds_]
