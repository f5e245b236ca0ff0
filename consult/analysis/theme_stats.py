"""Who raised a theme, where and when: breakdowns and weekly trend of its proposals."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from consult.analysis.models import ContributionTheme, Theme
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


def weekly_by_theme(db: Session, theme_ids: list[int]) -> dict[int, ThemeStats]:
    """Each theme's total and weekly series (its members and those of the themes merged into it),
    from one grouped query: the themes' list needs no more, and loading every member of
    every theme cost seconds at 100,000 proposals."""
    if not theme_ids:
        return {}
    root = func.coalesce(Theme.merged_into_id, Theme.id)
    members = (
        select(root.label("root"), col(ContributionTheme.contribution_id).label("member"))
        .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
        .where(
            col(Theme.id).in_(theme_ids) | col(Theme.merged_into_id).in_(theme_ids),
        )
        .distinct()
        .subquery()
    )
    day = func.date(Contribution.created_at)
    rows = db.exec(
        select(members.c.root, day, func.count())
        .join(Contribution, col(Contribution.id) == members.c.member)
        .group_by(members.c.root, day)
    ).all()
    days: dict[int, Counter] = {theme_id: Counter() for theme_id in theme_ids}
    for theme_id, value, count in rows:
        if theme_id in days:
            days[theme_id][_as_date(value)] += count
    return {
        theme_id: ThemeStats(total=counter.total(), weeks=_weeks(counter))
        for theme_id, counter in days.items()
    }


def _as_date(value) -> date:
    """SQL `date()`: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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
    return _weeks(Counter(days))


def _weeks(days: Counter) -> list[tuple[date, int]]:
    counts: Counter = Counter()
    for day, count in days.items():
        counts[day - timedelta(days=day.weekday())] += count
    if not counts:
        return []
    week, last = min(counts), max(counts)
    series = []
    while week <= last:
        series.append((week, counts.get(week, 0)))
        week += timedelta(days=7)
    return series
