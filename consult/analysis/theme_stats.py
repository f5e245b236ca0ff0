"""Who raised a theme, where and when: breakdowns and weekly trend of its proposals."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from consult.framework.models import Territory
from consult.meetings.models import Meeting
from consult.proposals.models import Contribution


@dataclass
class ThemeStats:
    total: int = 0
    territory: list[tuple[str, int]] = field(default_factory=list)
    channel: list[tuple[str, int]] = field(default_factory=list)
    meeting: list[tuple[str, int]] = field(default_factory=list)
    role: list[tuple[str, int]] = field(default_factory=list)
    weeks: list[tuple[date, int]] = field(default_factory=list)

    @property
    def peak_week(self) -> int:
        return max((count for _week, count in self.weeks), default=0)


def for_contributions(db: Session, contribution_ids: list[int]) -> ThemeStats:
    """Count member proposals per territory, channel, meeting, role and ISO week."""
    if not contribution_ids:
        return ThemeStats()
    contributions = db.exec(
        select(Contribution).where(col(Contribution.id).in_(contribution_ids))
    ).all()
    territories = _names(db, Territory, {c.territory_id for c in contributions}, "name")
    meetings = _names(db, Meeting, {c.meeting_id for c in contributions}, "title")
    return ThemeStats(
        total=len(contributions),
        territory=_ranked(territories.get(c.territory_id) for c in contributions),
        channel=_ranked(c.channel for c in contributions),
        meeting=_ranked(meetings.get(c.meeting_id) for c in contributions),
        role=_ranked(c.participant_role for c in contributions),
        weeks=weekly(c.created_at.date() for c in contributions),
    )


def _names(db: Session, model, ids: set, attribute: str) -> dict[int | None, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = db.exec(select(model).where(col(model.id).in_(ids))).all()
    return {row.id: getattr(row, attribute) for row in rows}


def _ranked(values) -> list[tuple[str, int]]:
    """Counts, largest first; missing values count as "" (shown as "non indicato")."""
    return Counter(value or "" for value in values).most_common()


def weekly(days) -> list[tuple[date, int]]:
    """Counts per ISO week (keyed by its Monday), with empty weeks in between kept at zero."""
    counts = Counter(day - timedelta(days=day.weekday()) for day in days)
    if not counts:
        return []
    week, last = min(counts), max(counts)
    series = []
    while week <= last:
        series.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return series
