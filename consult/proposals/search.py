"""Finding published proposals: full-text search, filters, sorting and pages for list and API."""

from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from sqlalchemy import ColumnElement, and_, false, func, not_, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from consult.accountability.models import Response
from consult.analysis.models import (
    DEFAULT_THRESHOLD,
    AnalysisRun,
    ContributionAssignment,
    ContributionTheme,
    ObjectiveMapping,
    Theme,
    counts_at,
)
from consult.framework import phases
from consult.framework import services as framework_services
from consult.framework.models import Consultation, Objective, Territory
from consult.meetings.models import Meeting
from consult.proposals import search_index
from consult.proposals.models import CHANNELS, Contribution, Support

SORTS = ("recenti", "sostenute")
ANSWERED = ("con", "senza")  # with or without a published answer of the Region


@dataclass(frozen=True)
class ProposalFilters:
    """What the list and the API filter on; every field is a shareable query-string value."""

    q: str = ""
    territory: str = ""
    objective: str = ""
    theme: str = ""
    channel: str = ""
    meeting: int | None = None
    answered: str = ""
    sort: str = "recenti"

    @property
    def active(self) -> bool:
        return any(
            (
                self.q,
                self.territory,
                self.objective,
                self.theme,
                self.channel,
                self.meeting,
                self.answered,
            )
        )


@dataclass(frozen=True)
class ResultPage:
    items: list[Contribution]
    supports: dict[int, int]
    total: int
    page: int
    per_page: int
    account_supports: dict[int, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def search(
    db: Session, consultation: Consultation, filters: ProposalFilters, *, page: int, per_page: int
) -> ResultPage:
    """One page of published proposals matching `filters`, with their support counts."""
    conditions = filter_conditions(db, consultation, filters)
    total = db.exec(select(func.count(col(Contribution.id))).where(*conditions)).one()
    query = _ordered(select(Contribution).where(*conditions), filters.sort)
    items = list(db.exec(query.offset((page - 1) * per_page).limit(per_page)).all())
    ids = [c.id for c in items]
    return ResultPage(
        items,
        support_counts(db, ids),
        total,
        page,
        per_page,
        account_supports=support_counts(db, ids, from_accounts=True),
    )


@dataclass(frozen=True)
class Cursor:
    """Where a keyset page of the newest-first order ends: the last item's date and id."""

    published_at: datetime | None
    id: int

    def token(self) -> str:
        stamp = self.published_at.isoformat() if self.published_at else ""
        return f"{stamp}~{self.id}"

    @classmethod
    def parse(cls, token: str) -> "Cursor":
        """Read a token made by `token`; raise ValueError for anything else."""
        stamp, _tilde, number = token.rpartition("~")
        if not number.isdigit() or not _tilde or len(number) > 18:
            raise ValueError(f"not a cursor: {token!r}")
        published_at = datetime.fromisoformat(stamp) if stamp else None
        if published_at is not None and published_at.utcoffset() is None:
            raise ValueError(f"not a cursor: {token!r}")
        return cls(published_at, int(number))


@dataclass(frozen=True)
class KeysetPage:
    items: list[Contribution]
    supports: dict[int, int]
    total: int
    next_cursor: Cursor | None


def search_after(
    db: Session,
    consultation: Consultation,
    filters: ProposalFilters,
    *,
    after: Cursor | None,
    per_page: int,
) -> KeysetPage:
    """The page of the newest-first order that follows `after`: no OFFSET, as fast far down.

    The same order as `search` (newest published first, NULL dates where each database puts
    them in a descending order: last on SQLite, first on PostgreSQL).
    """
    conditions = filter_conditions(db, consultation, filters)
    total = db.exec(select(func.count(col(Contribution.id))).where(*conditions)).one()
    if after is not None:
        conditions.append(_after(db, after))
    query = _ordered(select(Contribution).where(*conditions), "recenti").limit(per_page + 1)
    items = list(db.exec(query).all())
    more = len(items) > per_page
    items = items[:per_page]
    last = items[-1] if items and more else None
    return KeysetPage(
        items,
        support_counts(db, [c.id for c in items]),
        total,
        Cursor(last.published_at, last.id or 0) if last else None,
    )


def _after(db: Session, cursor: Cursor) -> ColumnElement[bool]:
    published, ident = col(Contribution.published_at), col(Contribution.id)
    nulls_last = db.get_bind().dialect.name == "sqlite"
    if cursor.published_at is None:
        tail = and_(published.is_(None), ident < cursor.id)
        return tail if nulls_last else or_(tail, published.is_not(None))
    stamp = cursor.published_at
    later = or_(published < stamp, and_(published == stamp, ident < cursor.id))
    return or_(later, published.is_(None)) if nulls_last else later


def filter_conditions(
    db: Session, consultation: Consultation, filters: ProposalFilters
) -> list[ColumnElement[bool]]:
    """WHERE conditions for the published proposals of `consultation` matching `filters`."""
    conditions: list[ColumnElement[bool]] = [
        Contribution.consultation_id == consultation.id,  # type: ignore[list-item]
        Contribution.status == "published",  # type: ignore[list-item]
    ]
    if filters.q:
        dialect = db.get_bind().dialect.name
        search_index.catch_up(db.connection())
        conditions.append(search_index.match_condition(dialect, filters.q))
    if filters.territory:
        conditions.append(_within_territory(db, consultation.framework_id, filters.territory))
    if filters.objective:
        conditions.append(_about_objective(db, consultation, filters.objective))
    if filters.theme:
        conditions.append(_in_theme(db, consultation, filters.theme))
    if filters.channel:
        conditions.append(Contribution.channel == filters.channel)  # type: ignore[arg-type]
    if filters.meeting is not None:
        conditions.append(Contribution.meeting_id == filters.meeting)  # type: ignore[arg-type]
    if filters.answered in ANSWERED:
        answered = _answered(db, consultation)
        conditions.append(answered if filters.answered == "con" else not_(answered))
    return conditions


def support_counts(
    db: Session, ids: list[int | None], *, from_accounts: bool = False
) -> dict[int, int]:
    """How many supports each proposal has, or only those from accounts (absent ids have none)."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = select(Support.contribution_id, func.count()).where(
        col(Support.contribution_id).in_(wanted)
    )
    if from_accounts:
        query = query.where(col(Support.user_id).is_not(None))
    rows = db.exec(query.group_by(col(Support.contribution_id))).all()
    return {contribution_id: count for contribution_id, count in rows}


def current_run_id(db: Session, consultation_id: int) -> int | None:
    return db.exec(
        select(AnalysisRun.id).where(
            AnalysisRun.consultation_id == consultation_id, col(AnalysisRun.is_current)
        )
    ).first()


def filter_options(db: Session, consultation: Consultation) -> dict:
    """The values the list's filter form offers."""
    run_id = current_run_id(db, consultation.id or 0)
    themes = (
        db.exec(
            select(Theme)
            .where(Theme.run_id == run_id, Theme.status != "discarded")
            .order_by(col(Theme.size).desc())
        ).all()
        if run_id
        else []
    )
    return {
        "territories": territory_tree(db, consultation.framework_id),
        "objectives": db.exec(
            select(Objective)
            .where(Objective.framework_id == consultation.framework_id)
            .order_by(col(Objective.position))
        ).all(),
        "themes": themes,
        "channels": CHANNELS,
        "meetings": db.exec(
            select(Meeting)
            .where(Meeting.consultation_id == consultation.id)
            .order_by(col(Meeting.starts_at).desc(), col(Meeting.id).desc())
        ).all(),
    }


def territory_tree(db: Session, framework_id: int) -> list[tuple[Territory, list[Territory]]]:
    """The framework's provinces (or other top-level territories) with the ambiti/distretti
    below them."""
    rows = framework_services.territories(db, framework_id)
    children: dict[int | None, list[Territory]] = {}
    for territory in rows:
        children.setdefault(territory.parent_id, []).append(territory)
    roots = [t for t in rows if t.parent_id is None and t.kind != "region"]
    for region in (t for t in rows if t.kind == "region"):
        roots.extend(children.get(region.id, []))
    return [(root, _descendants(root.id, children)) for root in roots]


def _descendants(root_id: int | None, children: dict) -> list[Territory]:
    found: list[Territory] = []
    for child in children.get(root_id, []):
        found.append(child)
        found.extend(_descendants(child.id, children))
    return found


def _ordered(query: SelectOfScalar[Contribution], sort: str) -> SelectOfScalar[Contribution]:
    newest = (col(Contribution.published_at).desc(), col(Contribution.id).desc())
    if sort != "sostenute":
        return query.order_by(*newest)
    counts = (
        select(Support.contribution_id, func.count().label("supports"))
        .group_by(col(Support.contribution_id))
        .subquery()
    )
    return query.outerjoin(counts, counts.c.contribution_id == Contribution.id).order_by(
        func.coalesce(counts.c.supports, 0).desc(), *newest
    )


def _within_territory(db: Session, framework_id: int, code: str) -> ColumnElement[bool]:
    """The consultation's territory of that code and those below it; another framework's
    code matches nothing."""
    territory = framework_services.territory_by_code(db, framework_id, code)
    if territory is None:
        return false()
    children: dict[int | None, list[Territory]] = {}
    for row in framework_services.territories(db, framework_id):
        children.setdefault(row.parent_id, []).append(row)
    ids = [territory.id, *(t.id for t in _descendants(territory.id, children))]
    return col(Contribution.territory_id).in_(ids)


def _about_objective(db: Session, consultation: Consultation, code: str) -> ColumnElement[bool]:
    """Suggested by the author, or mapped (to the proposal or to its current theme)."""
    objective_id = db.exec(
        select(Objective.id).where(
            Objective.framework_id == consultation.framework_id, Objective.code == code
        )
    ).first()
    if objective_id is None:
        return false()
    mapped = select(ObjectiveMapping.contribution_id).where(
        ObjectiveMapping.objective_id == objective_id
    )
    conditions: list[ColumnElement[bool]] = [
        col(Contribution.suggested_objective_id) == objective_id,
        col(Contribution.id).in_(mapped),
    ]
    run_id = current_run_id(db, consultation.id or 0)
    if run_id is not None:
        via_theme = (
            select(ContributionTheme.contribution_id)
            .join(ObjectiveMapping, col(ObjectiveMapping.theme_id) == ContributionTheme.theme_id)
            .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
            .where(Theme.run_id == run_id, ObjectiveMapping.objective_id == objective_id)
        )
        conditions.append(col(Contribution.id).in_(via_theme))
    return or_(*conditions)


def _answered(db: Session, consultation: Consultation) -> ColumnElement[bool]:
    """A published answer concerns the proposal: to it, to one of its current live themes, or to
    an objective it counts for (the same reach as consult.accountability.answers, the badge's);
    none while the consultation's phase keeps answers private."""
    if not phases.answers_public(db, consultation.id or 0):
        return false()
    published = select(Response).where(
        Response.consultation_id == consultation.id, col(Response.published_at).is_not(None)
    )
    direct = published.with_only_columns(col(Response.contribution_id)).where(
        col(Response.contribution_id).is_not(None)
    )
    conditions: list[ColumnElement[bool]] = [col(Contribution.id).in_(direct)]
    run_id = current_run_id(db, consultation.id or 0)
    if run_id is not None:
        keys = published.with_only_columns(col(Response.theme_stable_key)).where(
            col(Response.theme_stable_key).is_not(None)
        )
        via_theme = (
            select(ContributionTheme.contribution_id)
            .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
            .where(
                Theme.run_id == run_id,
                Theme.status != "discarded",
                col(Theme.stable_key).in_(keys),
            )
        )
        conditions.append(col(Contribution.id).in_(via_theme))
    objectives = published.with_only_columns(col(Response.objective_id)).where(
        col(Response.objective_id).is_not(None)
    )
    counting = select(ContributionAssignment.contribution_id).where(
        col(ContributionAssignment.objective_id).in_(objectives),
        counts_at(DEFAULT_THRESHOLD),
    )
    conditions.append(col(Contribution.id).in_(counting))
    return or_(*conditions)


def _in_theme(db: Session, consultation: Consultation, stable_key: str) -> ColumnElement[bool]:
    run_id = current_run_id(db, consultation.id or 0)
    if run_id is None:
        return false()
    members = (
        select(ContributionTheme.contribution_id)
        .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
        .where(Theme.run_id == run_id, Theme.stable_key == stable_key)
    )
    return col(Contribution.id).in_(members)
