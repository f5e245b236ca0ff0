"""The public figures of a consultation, counted in one place for the home page, /statistiche,
the report and the API, so they can never disagree.

Only closed meetings count (held, with their attendance recorded at closing): planned and open
ones are counted apart as "to come or under way". Proposals are the published ones.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, func, select

from consult.meetings.models import Meeting
from consult.proposals.models import Contribution

COUNTED_MEETINGS = "closed"
UPCOMING_MEETINGS = ("planned", "open")


@dataclass(frozen=True)
class PublicFigures:
    proposals: int = 0
    per_channel: dict[str, int] = field(default_factory=dict)
    meetings_held: int = 0
    meetings_upcoming: int = 0
    interlocutors: int = 0
    territories: int = 0
    km_travelled: float = 0.0

    def as_json(self) -> dict:
        """The figures as the open-data API gives them, saying which meetings count."""
        return {
            "proposals": self.proposals,
            "proposals_by_channel": dict(sorted(self.per_channel.items())),
            "meetings_held": self.meetings_held,
            "meetings_counted": COUNTED_MEETINGS,
            "meetings_upcoming": self.meetings_upcoming,
            "interlocutors": self.interlocutors,
            "territories": self.territories,
            "km_travelled": self.km_travelled,
        }


def held_meetings(db: Session, consultation_id: int) -> list[Meeting]:
    """The meetings every figure counts: the consultation's closed ones."""
    return list(
        db.exec(
            select(Meeting).where(
                Meeting.consultation_id == consultation_id, Meeting.status == COUNTED_MEETINGS
            )
        )
    )


def public_figures(db: Session, consultation_id: int) -> PublicFigures:
    """Published proposals (in all and per channel), meetings held and to come, interlocutors
    met (attendance of the meetings held), territories covered and km travelled."""
    held = held_meetings(db, consultation_id)
    upcoming = db.exec(
        select(func.count())
        .select_from(Meeting)
        .where(
            Meeting.consultation_id == consultation_id,
            Meeting.status.in_(UPCOMING_MEETINGS),  # type: ignore[attr-defined]
        )
    ).one()
    per_channel = dict(
        db.exec(
            select(Contribution.channel, func.count())
            .where(
                Contribution.consultation_id == consultation_id,
                Contribution.status == "published",
            )
            .group_by(Contribution.channel)
        ).all()
    )
    return PublicFigures(
        proposals=sum(per_channel.values()),
        per_channel=per_channel,
        meetings_held=len(held),
        meetings_upcoming=int(upcoming),
        interlocutors=sum(m.attendance or 0 for m in held),
        territories=len({m.territory_id for m in held if m.territory_id is not None}),
        km_travelled=round(sum(m.km_travelled or 0.0 for m in held), 1),
    )
