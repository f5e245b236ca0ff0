"""Planners' decisions on themes (rename, accept, discard, merge, split) and carrying them over.

Decisions are keyed by `Theme.stable_key`: a refit's themes matched to previous ones inherit
their label, status and merges, planner-made (split) themes are rebuilt with their proposals,
and planners' objective mappings follow the theme.
"""

import secrets
from typing import Any

from sqlmodel import Session, col, delete, func, select

from consult.analysis import summaries
from consult.analysis.corpus import document_text
from consult.analysis.models import AnalysisRun, ContributionTheme, ObjectiveMapping, Theme
from consult.analysis.rows import ids_of, stored_id
from consult.common import audit
from consult.proposals.models import Contribution

PLANNER_TOPIC = -2  # model_topic of a theme a planner made by splitting
STATUSES = ("proposed", "accepted", "discarded")


class ThemeEditError(ValueError):
    """An edit that cannot be applied (the message key says why)."""


def new_stable_key() -> str:
    """A fresh stable key for a theme that matches none of the previous run."""
    return "t-" + secrets.token_hex(8)


def state(theme: Theme) -> dict[str, Any]:
    return {
        "label": theme.display_label,
        "custom_label": theme.custom_label,
        "status": theme.status,
        "merged_into_id": theme.merged_into_id,
        "size": theme.size,
    }


def member_theme_ids(db: Session, theme: Theme) -> list[int]:
    """The theme itself and the themes merged into it."""
    merged = db.exec(select(Theme.id).where(Theme.merged_into_id == theme.id)).all()
    return [theme.id, *merged]


def member_ids(db: Session, theme: Theme, *, primary_only: bool = False) -> list[int]:
    """Member proposals, representative and most likely first (`primary_only`: only those
    whose primary theme this is, so each proposal belongs to one theme)."""
    query = select(ContributionTheme.contribution_id).where(
        col(ContributionTheme.theme_id).in_(member_theme_ids(db, theme))
    )
    if primary_only:
        query = query.where(ContributionTheme.is_primary)
    rows = db.exec(
        query.order_by(
            col(ContributionTheme.is_representative).desc(),
            col(ContributionTheme.probability).desc(),
        )
    ).all()
    return list(dict.fromkeys(rows))


def member_texts(db: Session, theme: Theme, *, primary_only: bool = False) -> list[tuple[int, str]]:
    ids = member_ids(db, theme, primary_only=primary_only)
    texts = {
        c.id: document_text(c)
        for c in db.exec(select(Contribution).where(col(Contribution.id).in_(ids)))
    }
    return [(cid, texts[cid]) for cid in ids if cid in texts]


def rename(db: Session, theme: Theme, label: str, *, actor_id: int | None) -> Theme:
    before = state(theme)
    theme.custom_label = label.strip() or None
    return _save(db, theme, "theme.rename", before, actor_id)


def set_status(db: Session, theme: Theme, status: str, *, actor_id: int | None) -> Theme:
    if status not in STATUSES:
        raise ThemeEditError("status")
    if theme.status == "merged":
        raise ThemeEditError("merged")
    before = state(theme)
    theme.status = status
    return _save(db, theme, f"theme.{status}", before, actor_id)


def merge(db: Session, source: Theme, target: Theme, *, actor_id: int | None) -> Theme:
    """Fold `source` (and whatever was merged into it) into `target`."""
    if source.id == target.id or source.run_id != target.run_id:
        raise ThemeEditError("merge-target")
    if target.status == "merged":
        raise ThemeEditError("merged")
    before = state(source)
    for child in db.exec(select(Theme).where(Theme.merged_into_id == source.id)).all():
        child.merged_into_id = target.id
        db.add(child)
    source.status = "merged"
    source.merged_into_id = target.id
    _save(db, source, "theme.merge", before, actor_id, extra={"into": target.stable_key})
    refresh(db, target)
    return target


def split(
    db: Session, theme: Theme, contribution_ids: list[int], label: str, *, actor_id: int | None
) -> Theme:
    """Move chosen member proposals of `theme` into a new planner-made theme."""
    own = set(member_ids(db, theme))
    chosen = [cid for cid in dict.fromkeys(contribution_ids) if cid in own]
    if not chosen or len(chosen) >= len(own):
        raise ThemeEditError("split-members")

    new = Theme(
        consultation_id=theme.consultation_id,
        run_id=theme.run_id,
        stable_key=new_stable_key(),
        model_topic=PLANNER_TOPIC,
        label=label.strip(),
        custom_label=label.strip(),
        keywords=[],
        status="accepted",
    )
    db.add(new)
    db.flush()
    _move_members(db, new, chosen, from_theme_ids=member_theme_ids(db, theme))
    refresh(db, theme)
    refresh(db, new)
    audit.record(
        db,
        actor_id=actor_id,
        action="theme.split",
        entity_type="theme",
        entity_id=theme.stable_key,
        before={"size": len(own)},
        after={"new_theme": new.stable_key, "label": new.label, "contributions": chosen},
    )
    return new


def _move_members(db: Session, theme: Theme, ids: list[int], *, from_theme_ids: list[int]) -> None:
    db.exec(
        delete(ContributionTheme).where(
            col(ContributionTheme.theme_id).in_(from_theme_ids),
            col(ContributionTheme.contribution_id).in_(ids),
        )
    )
    for cid in ids:
        db.add(
            ContributionTheme(
                contribution_id=cid, theme_id=stored_id(theme), probability=1.0, is_primary=True
            )
        )
    db.flush()


def refresh(db: Session, theme: Theme) -> None:
    """Recount a theme's size and rebuild its cited summary after its members changed."""
    ids = member_theme_ids(db, theme)
    theme.size = db.exec(
        select(func.count(func.distinct(ContributionTheme.contribution_id))).where(
            col(ContributionTheme.theme_id).in_(ids), ContributionTheme.is_primary
        )
    ).one()
    # Quote only proposals whose primary theme this is: none is quoted in two themes.
    theme.summary = summaries.summarise(member_texts(db, theme, primary_only=True))
    db.add(theme)
    db.flush()


def _save(db, theme, action, before, actor_id, extra=None) -> Theme:
    db.add(theme)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=action,
        entity_type="theme",
        entity_id=theme.stable_key,
        before=before,
        after={**state(theme), **(extra or {})},
    )
    return theme


def carry_over(db: Session, previous: AnalysisRun, run: AnalysisRun) -> None:
    """Give the new run's themes the decisions planners took on their matched predecessors."""
    old = {t.stable_key: t for t in db.exec(select(Theme).where(Theme.run_id == previous.id))}
    new = {t.stable_key: t for t in db.exec(select(Theme).where(Theme.run_id == run.id))}
    for key, old_theme in old.items():
        if old_theme.model_topic == PLANNER_TOPIC:
            new[key] = _rebuild_split(db, old_theme, run, new)
    for key, theme in new.items():
        if key in old:
            _inherit(db, old[key], theme, new)
    for theme in new.values():
        if theme.model_topic == PLANNER_TOPIC or theme.status == "merged":
            continue
        refresh(db, theme)


def _inherit(db: Session, old: Theme, theme: Theme, new: dict[str, Theme]) -> None:
    theme.custom_label = old.custom_label
    theme.status = old.status
    if old.status == "merged":
        target = db.get(Theme, old.merged_into_id)
        successor = new.get(target.stable_key) if target else None
        theme.merged_into_id = successor.id if successor else None
        theme.status = "merged" if successor else "proposed"
    _carry_planner_mappings(db, old, theme)
    db.add(theme)
    db.flush()


def _carry_planner_mappings(db: Session, old: Theme, theme: Theme) -> None:
    rows = db.exec(
        select(ObjectiveMapping).where(
            ObjectiveMapping.theme_id == old.id, ObjectiveMapping.source == "planner"
        )
    ).all()
    for row in rows:
        db.add(
            ObjectiveMapping(
                theme_id=theme.id,
                objective_id=row.objective_id,
                confidence=row.confidence,
                source="planner",
                confirmed_by_id=row.confirmed_by_id,
                confirmed_at=row.confirmed_at,
                run_id=theme.run_id,
            )
        )
        theme.is_off_strategy = row.objective_id is None


def _rebuild_split(db: Session, old: Theme, run: AnalysisRun, new: dict[str, Theme]) -> Theme:
    """Recreate a planner-made theme in the new run with its proposals that still exist."""
    ids = db.exec(
        select(ContributionTheme.contribution_id).where(ContributionTheme.theme_id == old.id)
    ).all()
    theme = Theme(
        consultation_id=old.consultation_id,
        run_id=stored_id(run),
        stable_key=old.stable_key,
        model_topic=PLANNER_TOPIC,
        label=old.label,
        custom_label=old.custom_label,
        keywords=list(old.keywords or []),
        status=old.status,
    )
    db.add(theme)
    db.flush()
    in_run = db.exec(
        select(ContributionTheme.contribution_id)
        .join(Theme, col(Theme.id) == ContributionTheme.theme_id)
        .where(Theme.run_id == run.id, col(ContributionTheme.contribution_id).in_(ids))
    ).all()
    others = ids_of(new.values())
    _move_members(db, theme, sorted(set(in_run)), from_theme_ids=others)
    refresh(db, theme)
    return theme
