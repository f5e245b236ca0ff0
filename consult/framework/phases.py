"""What a consultation allows today, read from its phases' dates and flags.

Each phase says what it allows while it runs (proposals, live sessions, analysis, published
answers). A consultation none of whose phases allows anything is governed by no phase (as every
consultation was before phases had flags): everything stays open. Otherwise a thing is allowed
exactly while a phase allowing it runs, so participation closes by itself when its phase ends.
Dates are days in Italian time.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from consult.common.models import utcnow
from consult.framework import services
from consult.framework.models import Phase

LOCAL_TIME = ZoneInfo("Europe/Rome")
ALLOWANCES = {
    "proposals": "allows_proposals",
    "live": "allows_live",
    "analysis": "allows_analysis",
    "answers": "publishes_answers",
}


class ParticipationClosed(Exception):
    """No running phase of the consultation allows this (a proposal, a live session): nothing
    was stored. `what` is the key of ALLOWANCES that was refused."""

    def __init__(self, what: str = "proposals") -> None:
        super().__init__(what)
        self.what = what


def today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TIME).date()


def is_running(phase: Phase, day: date) -> bool:
    return (phase.starts_on is None or phase.starts_on <= day) and (
        phase.ends_on is None or day <= phase.ends_on
    )


def allowed_by(phases: list[Phase], what: str, day: date) -> bool:
    """Whether `what` (a key of ALLOWANCES) is allowed on `day` by these phases."""
    flag = ALLOWANCES[what]
    if not any(getattr(phase, name) for phase in phases for name in ALLOWANCES.values()):
        return True
    return any(getattr(phase, flag) and is_running(phase, day) for phase in phases)


def allows(db: Session, consultation_id: int, what: str, day: date | None = None) -> bool:
    return allowed_by(services.phases(db, consultation_id), what, day or today())


def check(db: Session, consultation_id: int, what: str) -> None:
    """Raise ParticipationClosed unless a running phase allows `what` now."""
    if not allows(db, consultation_id, what):
        raise ParticipationClosed(what)


def answers_public(db: Session, consultation_id: int, day: date | None = None) -> bool:
    """Whether the Region's published answers of this consultation are public now: while a phase
    publishing answers runs (or when no phase governs anything). The one place every public
    page, the API and the answer e-mails ask; planners see and draft them regardless."""
    return allows(db, consultation_id, "answers", day)


def check_proposal(db: Session, consultation_id: int, channel: str) -> None:
    """Raise ParticipationClosed unless a proposal made now on `channel` is allowed: from the
    phones of a live session while a phase allows live sessions, otherwise while one allows
    proposals."""
    check(db, consultation_id, "live" if channel == "live" else "proposals")
