"""What the public pages show: the home page's figures, read in one place."""

from sqlmodel import Session, func, select

from consult.meetings.models import Meeting
from consult.proposals.models import Contribution


def home_figures(db: Session, consultation_id: int) -> dict[str, int]:
    """Published proposals and meetings held or planned, for the home page's counters."""
    contributions = (
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.consultation_id == consultation_id,
            Contribution.status == "published",
        )
    )
    meetings = (
        select(func.count()).select_from(Meeting).where(Meeting.consultation_id == consultation_id)
    )
    return {"contributions": db.exec(contributions).one(), "meetings": db.exec(meetings).one()}
