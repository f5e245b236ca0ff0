"""Moderating a live session's proposals: every change is audited with its before and after."""

from typing import Any

from sqlmodel import Session, col, select

from consult.analysis import live_classification, similarity
from consult.common import audit
from consult.common.models import utcnow
from consult.common.text_rules import text_problem
from consult.meetings.services import stored_id
from consult.notifications import services as notifications
from consult.proposals.models import AbuseReport, Contribution, Support

QUEUE_STATES = ("pending", "published", "rejected", "merged", "hidden")
REASON_MAX = 500
# A page a moderator can work through; the rest follows as items leave it. The queue is
# rendered again at every refresh (every 2 s at most during a burst of proposals): 100 items
# took ~170 ms of the worker's core each time (bench/live_room.py), 40 take ~70 ms.
QUEUE_LIMIT = 40


class ModerationError(ValueError):
    """A moderation step that cannot be done; `code` says which rule refused it."""

    def __init__(self, code: str, message: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message = message  # an untranslated message the page shows as it is, if any


def _state(contribution: Contribution) -> dict[str, Any]:
    return {
        "status": contribution.status,
        "text": contribution.text,
        "rejection_reason": contribution.rejection_reason,
        "merged_into_id": contribution.merged_into_id,
        "highlighted": contribution.highlighted,
        "discussed": contribution.discussed,
    }


def _apply(db: Session, contribution: Contribution, action: str, actor_id: int, **changes) -> None:
    before = _state(contribution)
    for name, value in changes.items():
        setattr(contribution, name, value)
    contribution.updated_at = utcnow()
    db.add(contribution)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=f"moderation.{action}",
        entity_type="contribution",
        entity_id=stored_id(contribution),
        before=before,
        after=_state(contribution),
    )


def approve(
    db: Session, contribution: Contribution, *, actor_id: int, classify: bool = True
) -> None:
    """Publish; the current theme model assigns it so planners see it before the next refit."""
    if contribution.status not in ("pending", "rejected", "hidden"):
        raise ModerationError("state")
    _apply(
        db,
        contribution,
        "approve",
        actor_id,
        status="published",
        rejection_reason=None,
        published_at=contribution.published_at or utcnow(),
    )
    notifications.status_changed(db, contribution, "approved")
    if classify:
        live_classification.record(db, [contribution])


def reject(db: Session, contribution: Contribution, *, actor_id: int, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("reason")
    if contribution.status == "merged":
        raise ModerationError("state")
    _apply(
        db,
        contribution,
        "reject",
        actor_id,
        status="rejected",
        rejection_reason=reason[:REASON_MAX],
        highlighted=False,
    )
    notifications.status_changed(db, contribution, "rejected")


def correct(db: Session, contribution: Contribution, *, actor_id: int, text: str) -> None:
    """Fix typos; the author's first wording stays in `original_text`."""
    problem = text_problem(text)
    if problem:
        raise ModerationError("text", problem)
    if text == contribution.text:
        return
    original = contribution.original_text or contribution.text
    _apply(db, contribution, "correct", actor_id, text=text, original_text=original)
    if contribution.status == "published":
        live_classification.reassign(db, contribution)


def set_flag(
    db: Session, contribution: Contribution, *, actor_id: int, flag: str, value: bool
) -> None:
    """Highlight on the projector, or mark as discussed in the room."""
    if flag not in ("highlighted", "discussed"):
        raise ModerationError("flag")
    if flag == "highlighted" and value and contribution.status != "published":
        raise ModerationError("state")
    _apply(db, contribution, f"{flag}.{'on' if value else 'off'}", actor_id, **{flag: value})


def merge(db: Session, duplicate: Contribution, target: Contribution, *, actor_id: int) -> None:
    """Fold `duplicate` into `target`: supports move without double counting, provenance kept."""
    if duplicate.id == target.id or duplicate.consultation_id != target.consultation_id:
        raise ModerationError("target")
    if target.status in ("merged", "rejected", "hidden") or duplicate.status == "merged":
        raise ModerationError("state")
    _move_supports(db, stored_id(duplicate), stored_id(target))
    provenance = dict(target.provenance or {})
    provenance["merged_ids"] = sorted({*provenance.get("merged_ids", []), duplicate.id})
    target_before = {"provenance": dict(target.provenance or {})}
    target.provenance = provenance
    db.add(target)
    _apply(
        db,
        duplicate,
        "merge",
        actor_id,
        status="merged",
        merged_into_id=target.id,
        highlighted=False,
    )
    audit.record(
        db,
        actor_id=actor_id,
        action="moderation.merge_target",
        entity_type="contribution",
        entity_id=stored_id(target),
        before=target_before,
        after={"provenance": provenance},
    )
    notifications.status_changed(db, duplicate, "merged", kept=target)


def _move_supports(db: Session, from_id: int, to_id: int) -> None:
    existing = db.exec(select(Support).where(Support.contribution_id == to_id)).all()
    users = {s.user_id for s in existing if s.user_id is not None}
    browsers = {s.browser_token for s in existing if s.browser_token is not None}
    for support in db.exec(select(Support).where(Support.contribution_id == from_id)).all():
        if support.user_id in users or support.browser_token in browsers:
            db.delete(support)  # the same person supported both: count them once
            continue
        support.contribution_id = to_id
        users.discard(None)
        if support.user_id is not None:
            users.add(support.user_id)
        if support.browser_token is not None:
            browsers.add(support.browser_token)
        db.add(support)
    db.flush()


def bulk(
    db: Session, contributions: list[Contribution], *, actor_id: int, action: str, reason: str = ""
) -> int:
    """Approve or reject many at once; items in a state that refuses it are skipped."""
    if action == "reject" and not reason.strip():
        raise ModerationError("reason")
    done = []
    for contribution in contributions:
        try:
            if action == "approve":
                approve(db, contribution, actor_id=actor_id, classify=False)
            elif action == "reject":
                reject(db, contribution, actor_id=actor_id, reason=reason)
            else:
                raise ModerationError("action")
        except ModerationError as error:
            if error.code == "action":
                raise
            continue
        done.append(contribution)
    if action == "approve":
        live_classification.record(db, done)  # one encoding batch for the whole selection
    return len(done)


def get_contribution(db: Session, contribution_id: int) -> Contribution | None:
    return db.get(Contribution, contribution_id)


def session_item(db: Session, live_session_id: int, contribution_id: int) -> Contribution | None:
    """A proposal sent to the live session, None when missing or sent elsewhere."""
    item = db.get(Contribution, contribution_id)
    return item if item is not None and item.live_session_id == live_session_id else None


def session_items(db: Session, live_session_id: int, ids: list[int]) -> list[Contribution]:
    """The proposals among `ids` that were sent to the live session."""
    return list(
        db.exec(
            select(Contribution).where(
                col(Contribution.id).in_(ids), Contribution.live_session_id == live_session_id
            )
        ).all()
    )


def queue(
    db: Session,
    live_session_id: int,
    status: str = "pending",
    limit: int | None = None,
    group_id: int | None = None,
) -> list[Contribution]:
    """Up to `limit` of the session's items (of one working group, if given) in one state:
    pending oldest first (in the order they were sent), the others newest first."""
    order = (
        (col(Contribution.created_at), col(Contribution.id))
        if status == "pending"
        else (col(Contribution.updated_at).desc(), col(Contribution.id).desc())
    )
    query = select(Contribution).where(
        Contribution.live_session_id == live_session_id, Contribution.status == status
    )
    if group_id is not None:
        query = query.where(Contribution.working_group_id == group_id)
    return list(db.exec(query.order_by(*order).limit(limit or QUEUE_LIMIT)))


def open_reports(db: Session, contribution_ids: list[int]) -> dict[int, list[AbuseReport]]:
    """Unresolved abuse reports on the given proposals."""
    if not contribution_ids:
        return {}
    reports: dict[int, list[AbuseReport]] = {}
    for report in db.exec(
        select(AbuseReport).where(
            col(AbuseReport.contribution_id).in_(contribution_ids),
            col(AbuseReport.resolved_at).is_(None),
        )
    ):
        if report.contribution_id is not None:  # always, given the filter; mypy cannot know
            reports.setdefault(report.contribution_id, []).append(report)
    return reports


def duplicate_candidates(
    db: Session, contribution: Contribution, limit: int = 3, *, encoder: str | None = None
) -> list[similarity.SimilarItem]:
    """Near-duplicates among pending and published proposals, for the merge suggestion."""
    return similarity.similar_contributions(
        db,
        consultation_id=contribution.consultation_id,
        text=contribution.text,
        statuses=("pending", "published"),
        exclude_ids=[stored_id(contribution)],
        limit=limit,
        min_score=similarity.DUPLICATE,
        encoder=encoder,
        store_query=True,
    )
