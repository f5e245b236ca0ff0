"""Who raised a theme, where and when: breakdowns and weekly trend of its proposals."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select as sa_select
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


def for_theme(db: Session, theme_ids: list[int]) -> ThemeStats:
    """Count the proposals of these themes (a theme and those merged into it) per territory,
    channel, meeting, role and ISO week, in one grouped query: a theme of a large consultation
    has thousands of members, and loading them cost a planner's page seconds."""
    members = (
        select(col(ContributionTheme.contribution_id).label("member"))
        .where(col(ContributionTheme.theme_id).in_(theme_ids))
        .distinct()
        .subquery()
    )
    columns = (
        col(Contribution.territory_id),
        col(Contribution.channel),
        col(Contribution.meeting_id),
        col(Contribution.participant_role),
        func.date(Contribution.created_at),
    )
    rows = db.execute(  # more columns than sqlmodel's select() is typed for
        sa_select(*columns, func.count())
        .join(members, members.c.member == Contribution.id)
        .group_by(*columns)
    ).all()
    if not rows:
        return ThemeStats()
    territories = _names(db, Territory, {row[0] for row in rows}, "name")
    meetings = _names(db, Meeting, {row[2] for row in rows}, "title")
    by: dict[str, Counter] = {key: Counter() for key in ("territory", "channel", "meeting", "role")}
    days: Counter = Counter()
    for territory_id, channel, meeting_id, role, value, count in rows:
        by["territory"][territories.get(territory_id) or ""] += count
        by["channel"][channel or ""] += count
        by["meeting"][meetings.get(meeting_id) or ""] += count
        by["role"][role or ""] += count
        days[_as_date(value)] += count
    return ThemeStats(
        total=days.total(),
        territory=_ranked(by["territory"]),
        channel=_ranked(by["channel"]),
        meeting=_ranked(by["meeting"]),
        role=_ranked(by["role"]),
        weeks=_weeks(days),
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


def _ranked(counts: Counter) -> list[tuple[str, int]]:
    """Counts, largest first, ties in alphabetical order; a missing value is "" (shown as
    "non indicato")."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


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
