"""What the rooms of a meeting (or of a whole consultation) decided: the frozen priorities rounds
and polls of its live sessions, read from the result each one stored when it closed.

The rules that run rounds and polls live in `consult.live`; a closed one is plain data here, so
the meeting's page and the planners' report show it without recomputing anything.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from consult.live.models import LivePoll, PriorityRound
from consult.meetings.models import LiveSession, Meeting, WorkingGroup


@dataclass
class ClosedVotes:
    rounds: list[PriorityRound] = field(default_factory=list)
    polls: list[LivePoll] = field(default_factory=list)
    group_names: dict[int, str] = field(default_factory=dict)
    meeting_titles: dict[int, str] = field(default_factory=dict)  # by live session id

    def __bool__(self) -> bool:
        return bool(self.rounds or self.polls)


def closed_votes(
    db: Session, *, meeting_id: int | None = None, consultation_id: int | None = None
) -> ClosedVotes:
    """The closed rounds and polls of one meeting's sessions, or of a consultation's, in order."""
    sessions = select(LiveSession.id, Meeting.title).join(
        Meeting, col(Meeting.id) == LiveSession.meeting_id
    )
    if meeting_id is not None:
        sessions = sessions.where(LiveSession.meeting_id == meeting_id)
    if consultation_id is not None:
        sessions = sessions.where(Meeting.consultation_id == consultation_id)
    titles = {sid: title for sid, title in db.exec(sessions).all() if sid is not None}
    if not titles:
        return ClosedVotes()
    ids = list(titles)
    rounds = db.exec(
        select(PriorityRound)
        .where(col(PriorityRound.live_session_id).in_(ids), PriorityRound.status == "closed")
        .order_by(col(PriorityRound.closed_at), col(PriorityRound.id))
    ).all()
    polls = db.exec(
        select(LivePoll)
        .where(col(LivePoll.live_session_id).in_(ids), LivePoll.status == "closed")
        .order_by(col(LivePoll.closed_at), col(LivePoll.id))
    ).all()
    groups = db.exec(select(WorkingGroup).where(col(WorkingGroup.live_session_id).in_(ids)))
    return ClosedVotes(
        rounds=[r for r in rounds if r.result is not None],
        polls=[p for p in polls if p.result is not None],
        group_names={stored: g.name for g in groups if (stored := g.id) is not None},
        meeting_titles=titles,
    )
