"""What the public pages show: the home page's figures, read in one place."""

from sqlmodel import Session, func, select

from consult.meetings.models import Meeting
from consult.proposals.models import Contribution


def home_figures(db: Session, consultation_id: int) -> dict[str, int]:
    """Published proposals, meetings held (closed, as the statistics and the report count them)
    and meetings still to come or under way, for the home page's counters."""
    contributions = (
        select(func.count())
        .select_from(Contribution)
        .where(
            Contribution.consultation_id == consultation_id,
            Contribution.status == "published",
        )
    )
    by_status = dict(
        db.exec(
            select(Meeting.status, func.count())
            .where(Meeting.consultation_id == consultation_id)
            .group_by(Meeting.status)
        ).all()
    )
    return {
        "contributions": db.exec(contributions).one(),
        "meetings": by_status.get("closed", 0),
        "upcoming_meetings": by_status.get("planned", 0) + by_status.get("open", 0),
    }
