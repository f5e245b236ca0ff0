"""The shared rule's result stored in `contribution_assignment`, kept current in every transaction.

Every event that can change which objective a proposal counts for writes one of five tables: a
proposal (new, or its suggested objective), an objective mapping (model or planner, of a
proposal or a theme), a theme membership, a theme (merge, discard, off-strategy) or a run
(becoming current). Rather than trusting each writer to remember, session hooks see those
writes at every flush (and bulk DELETE/UPDATE statements as they run) and recompute the
affected proposals with `assignment.assign_ranked` in the same transaction: readers of the
table see exactly what the rule would say, on SQLite and PostgreSQL alike.

`rebuild` recomputes a whole consultation (`consult assignments rebuild`, restores, migrations).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy import select as sa_select
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, col, select

from consult.analysis.assignment import Assignment, assign_ranked, assign_unmapped
from consult.analysis.models import (
    AnalysisRun,
    ContributionAssignment,
    ContributionTheme,
    ObjectiveMapping,
    Theme,
    counts_at,
)
from consult.framework.models import Consultation
from consult.proposals.models import Contribution

log = logging.getLogger(__name__)

TABLE = ContributionAssignment.__table__  # type: ignore[attr-defined]
BATCH = 2000
# Contribution fields the rule reads (besides its id and consultation).
CONTRIBUTION_FIELDS = ("suggested_objective_id", "consultation_id")
THEME_FIELDS = ("status", "merged_into_id", "is_off_strategy", "run_id")
WATCHED = (Contribution, ObjectiveMapping, ContributionTheme, Theme, AnalysisRun)


@dataclass
class _Pending:
    """What a session changed since its last refresh."""

    contributions: set[int] = field(default_factory=set)
    themes: set[int] = field(default_factory=set)
    consultations: set[int] = field(default_factory=set)
    new: list[Contribution] = field(default_factory=list)
    memberships: set[tuple[int, int]] = field(default_factory=set)
    # A write to a table of the rule other than a proposal's (a mapping, a membership...).
    others: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.contributions or self.themes or self.consultations or self.new or self.memberships
        )

    def only_new_proposals(self) -> bool:
        """Nothing but new proposals was written: none of them can have a mapping or a theme yet
        (those rows need the proposal's id, so they come in a later flush and are noted there)."""
        return not (
            self.contributions
            or self.themes
            or self.consultations
            or self.memberships
            or self.others
        )


def rebuild(db: Session, consultation_id: int) -> int:
    """Recompute every proposal of the consultation; return how many."""
    ids = list(
        db.exec(select(Contribution.id).where(Contribution.consultation_id == consultation_id))
    )
    db.execute(delete(TABLE).where(TABLE.c.consultation_id == consultation_id))
    return _write(db, [i for i in ids if i is not None], delete_first=False)


def rebuild_all(db: Session) -> int:
    """Recompute every consultation; return how many proposals."""
    ids = db.exec(select(Consultation.id)).all()
    return sum(rebuild(db, consultation_id) for consultation_id in ids if consultation_id)


def refresh(db: Session, contribution_ids: Iterable[int]) -> int:
    """Recompute the given proposals (any consultation); return how many."""
    return _write(db, sorted(set(contribution_ids)), delete_first=True)


def _write(db: Session, ids: list[int], *, delete_first: bool) -> int:
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if delete_first:
            db.execute(delete(TABLE).where(TABLE.c.contribution_id.in_(chunk)))
        rows = db.exec(select(Contribution).where(col(Contribution.id).in_(chunk))).all()
        by_consultation: dict[int, list[Contribution]] = {}
        for row in rows:
            by_consultation.setdefault(row.consultation_id, []).append(row)
        values = []
        for consultation_id, contributions in by_consultation.items():
            for cid, (found, confidences) in assign_ranked(db, contributions).items():
                values += _rows(cid, consultation_id, found, confidences)
        if values:
            db.execute(insert(TABLE), values)
    return len(ids)


def _rows(cid, consultation_id, found, confidences) -> list[dict]:
    base = {
        "contribution_id": cid,
        "consultation_id": consultation_id,
        "source": found.source,
        "theme_id": found.theme_id,
    }
    if found.is_unmapped:
        return [{**base, "objective_id": None, "rank": 0, "is_primary": True, "confidence": None}]
    return [
        {
            **base,
            "objective_id": objective_id,
            "rank": rank,
            "is_primary": rank == 0,
            "confidence": confidences.get(objective_id),
        }
        for rank, objective_id in enumerate(found.objective_ids)
    ]


# --- keeping it current -----------------------------------------------------------------------


def _pending(db) -> _Pending:
    return db.info.setdefault("assignment_pending", _Pending())


def _changed(obj, names: Iterable[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _old_and_new(obj, name: str) -> set[int]:
    history = inspect(obj).attrs[name].history
    return {v for v in (*history.added, *history.deleted, *history.unchanged) if v is not None}


def _note(pending: _Pending, obj, *, is_new: bool = False) -> None:
    pending.others |= not isinstance(obj, Contribution)
    if isinstance(obj, Contribution):
        if is_new or obj.id is None:
            pending.new.append(obj)
        elif _changed(obj, CONTRIBUTION_FIELDS):
            pending.contributions.add(obj.id)
    elif isinstance(obj, ObjectiveMapping):
        pending.contributions |= _old_and_new(obj, "contribution_id")
        pending.themes |= _old_and_new(obj, "theme_id")
    elif isinstance(obj, ContributionTheme):
        pending.memberships |= {
            (cid, tid)
            for cid in _old_and_new(obj, "contribution_id")
            for tid in _old_and_new(obj, "theme_id")
        }
    elif isinstance(obj, Theme):
        if is_new or _changed(obj, THEME_FIELDS):
            pending.themes |= _old_and_new(obj, "id") | _old_and_new(obj, "merged_into_id")
    elif isinstance(obj, AnalysisRun) and (
        obj.is_current if is_new else _changed(obj, ("is_current",))
    ):
        pending.consultations.add(obj.consultation_id)


@event.listens_for(Session, "before_flush")
def _before_flush(db, _context, _instances) -> None:
    pending = _pending(db)
    for obj in db.new:
        if isinstance(obj, WATCHED):
            _note(pending, obj, is_new=True)
    for obj in db.dirty:
        if isinstance(obj, WATCHED):
            _note(pending, obj)
    for obj in db.deleted:
        if isinstance(obj, WATCHED) and not isinstance(obj, Contribution):
            _note(pending, obj)


@event.listens_for(Session, "after_flush_postexec")
def _after_flush(db, _context) -> None:
    _apply(db)


@event.listens_for(Session, "before_commit")
def _before_commit(db) -> None:
    _apply(db)


@event.listens_for(Session, "after_rollback")
def _after_rollback(db) -> None:
    db.info.pop("assignment_pending", None)


@event.listens_for(Session, "do_orm_execute")
def _bulk_statement(state: ORMExecuteState):
    """DELETE/UPDATE statements on the rule's tables: note the rows they touch, then refresh."""
    if not (state.is_delete or state.is_update) or state.bind_mapper is None:
        return None
    entity = state.bind_mapper.class_
    if entity not in (ObjectiveMapping, ContributionTheme, Theme, AnalysisRun, Contribution):
        return None
    pending = _Pending()  # noted apart: running the statement may flush (and apply) first
    where = getattr(state.statement, "whereclause", None)
    if entity in (ObjectiveMapping, Contribution):
        key = Contribution.id if entity is Contribution else entity.contribution_id
        pending.contributions |= _keys(state.session, key, entity, where)
    if entity is ContributionTheme:
        pending.memberships |= {
            (cid, tid)
            for cid, tid in state.session.execute(
                _where(select(ContributionTheme.contribution_id, ContributionTheme.theme_id), where)
            )
        }
    if entity is ObjectiveMapping:
        pending.themes |= _keys(state.session, ObjectiveMapping.theme_id, entity, where)
    if entity is Theme:
        pending.themes |= _keys(state.session, Theme.id, entity, where)
    if entity is AnalysisRun:
        pending.consultations |= _keys(state.session, AnalysisRun.consultation_id, entity, where)
    result = state.invoke_statement()
    _merge(_pending(state.session), pending)
    _apply(state.session)
    return result


def _merge(into: _Pending, other: _Pending) -> None:
    into.contributions |= other.contributions
    into.themes |= other.themes
    into.consultations |= other.consultations
    into.memberships |= other.memberships
    into.new += other.new
    into.others |= other.others


def _where(query, where):
    query = query.execution_options(autoflush=False)
    return query if where is None else query.where(where)


def _keys(db, column, entity, where) -> set[int]:
    return {v for v in db.execute(_where(select(column).select_from(entity), where)).scalars() if v}


def _apply(db) -> None:
    """Recompute what the session changed since the last time."""
    if db.info.get("assignment_applying"):
        return
    db.info["assignment_applying"] = True
    try:
        for _round in range(10):  # reads below may autoflush more changes: apply those too
            pending = db.info.get("assignment_pending")
            if not pending:
                return
            db.info["assignment_pending"] = _Pending()
            _apply_pending(db, pending)
    finally:
        db.info["assignment_applying"] = False


def _apply_pending(db, pending: _Pending) -> None:
    if pending.only_new_proposals():
        _insert_new(db, [c for c in pending.new if c.id is not None])
        return
    ids = set(pending.contributions)
    ids |= {c.id for c in pending.new if c.id is not None}
    ids |= _members_of(db, pending.themes)
    if pending.memberships:
        current = _current_theme_ids(db, {tid for _cid, tid in pending.memberships})
        ids |= {cid for cid, tid in pending.memberships if tid in current}
    for consultation_id in pending.consultations:
        rebuild(db, consultation_id)
        ids -= _ids_of_consultation(db, consultation_id, ids)
    if ids:
        refresh(db, ids)


def _insert_new(db, contributions: list[Contribution]) -> None:
    """The rule's answer for proposals just inserted, from the rows alone: no mapping or theme can
    name them yet, so it is their suggested objective or "non assegnata" (what `assign_ranked`
    says of them, without its four queries: a live room stores hundreds a minute)."""
    values = []
    for contribution in contributions:
        found = assign_unmapped(contribution)
        values += _rows(contribution.id, contribution.consultation_id, found, {})
    if values:
        db.execute(insert(TABLE), values)


def _current_theme_ids(db, theme_ids: set[int]) -> set[int]:
    """Those of the themes that belong to a current run (other runs' themes assign nothing)."""
    found: set[int] = set()
    chunk = sorted(theme_ids)
    for start in range(0, len(chunk), BATCH):
        found |= {
            tid
            for tid in db.exec(
                select(Theme.id)
                .join(AnalysisRun, col(AnalysisRun.id) == Theme.run_id)
                .where(col(Theme.id).in_(chunk[start : start + BATCH]), col(AnalysisRun.is_current))
            )
            if tid is not None
        }
    return found


def _ids_of_consultation(db, consultation_id: int, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    found = set()
    chunk = sorted(ids)
    for start in range(0, len(chunk), BATCH):
        found |= set(
            db.exec(
                select(Contribution.id).where(
                    col(Contribution.id).in_(chunk[start : start + BATCH]),
                    Contribution.consultation_id == consultation_id,
                )
            )
        )
    return found


def _members_of(db, theme_ids: set[int]) -> set[int]:
    """Proposals whose primary theme of a current run is, or was merged into, one of these."""
    if not theme_ids:
        return set()
    runs = db.exec(
        select(Theme.run_id, Theme.consultation_id)
        .join(AnalysisRun, col(AnalysisRun.id) == Theme.run_id)
        .where(col(Theme.id).in_(sorted(theme_ids)), col(AnalysisRun.is_current))
        .distinct()
    ).all()
    members: set[int] = set()
    for run_id, _consultation_id in runs:
        themes = {t.id: t for t in db.exec(select(Theme).where(Theme.run_id == run_id)).all()}
        touched = {t for t in themes if _reaches(themes, t, theme_ids)}
        if touched:
            members |= set(
                db.exec(
                    select(ContributionTheme.contribution_id).where(
                        col(ContributionTheme.theme_id).in_(sorted(touched)),
                        col(ContributionTheme.is_primary),
                    )
                )
            )
    return members


def _reaches(themes: dict, theme_id, targets: set[int]) -> bool:
    """Whether the theme, or one it is merged into (however far), is among `targets`."""
    seen = set()
    while theme_id is not None and theme_id not in seen:
        if theme_id in targets:
            return True
        seen.add(theme_id)
        theme = themes.get(theme_id)
        theme_id = theme.merged_into_id if theme is not None else None
    return False


# --- reading it -------------------------------------------------------------------------------


def counted(threshold: float):
    """The rows that count at `threshold` (the first objective always does)."""
    return counts_at(threshold)


def stored_assignments(
    db: Session, contribution_ids: list[int], *, threshold: float
) -> dict[int, Assignment]:
    """The rule's answer for these proposals, read from the table (as `assign_objectives`)."""
    row = ContributionAssignment
    grouped: dict[int, list[tuple]] = {}
    for start in range(0, len(contribution_ids), BATCH):
        chunk = contribution_ids[start : start + BATCH]
        rows = db.execute(
            sa_select(
                col(row.contribution_id),
                col(row.objective_id),
                col(row.source),
                col(row.confidence),
                col(row.theme_id),
            )
            .where(col(row.contribution_id).in_(chunk), counted(threshold))
            .order_by(col(row.contribution_id), col(row.rank))
        )
        for found in rows:
            grouped.setdefault(found[0], []).append(tuple(found))
    return {cid: as_assignment(cid, grouped.get(cid, [])) for cid in contribution_ids}


def as_assignment(cid: int, rows: list[tuple]) -> Assignment:
    """An `Assignment` from one proposal's counted rows in rank order
    (contribution_id, objective_id, source, confidence, theme_id)."""
    if not rows:
        return Assignment(cid, (), "unmapped")
    _cid, _objective, source, confidence, theme_id = rows[0]
    objective_ids = () if source == "unmapped" else tuple(r[1] for r in rows)
    return Assignment(cid, objective_ids, source, confidence, theme_id)
