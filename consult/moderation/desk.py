"""The moderation desk of a consultation: online proposals awaiting approval, reported and
hidden proposals and comments, and the decisions on them.

Moderators and admins see everything; a facilitator sees the items of the meetings they run.
Approving and rejecting reuse the live queue's steps (`live.moderation`) and deciding on reports
reuses `proposals.report_queue`, so both write the same audit history and tell the author the
same way. Live-session proposals that wait for approval stay in their session's queue.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from consult.common.models import AuditLog
from consult.live import moderation
from consult.meetings.models import MeetingFacilitator
from consult.notifications import services as notifications
from consult.proposals import report_queue
from consult.proposals.models import Comment, Contribution

ACTIONS = ("approve", "reject", "restore", "hide")
KINDS = ("proposta", "commento")
DESK_ROLES = ("moderator", "facilitator")  # admins always pass has_role
LIMIT = 200  # items per section read per page view
HISTORY_LIMIT = 30
HISTORY_ACTIONS = ("moderation.", "contribution.", "comment.")


class DeskError(ValueError):
    """A decision that cannot be taken; `code` says why (reason, state, action, missing)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Scope:
    """Which items a moderator may see: every one (`meeting_ids` None) or those of meetings."""

    consultation_id: int
    meeting_ids: frozenset[int] | None = None

    def covers(self, contribution: Contribution) -> bool:
        if contribution.consultation_id != self.consultation_id:
            return False
        return self.meeting_ids is None or contribution.meeting_id in self.meeting_ids


DeskItem = report_queue.ReportedItem  # one item on the desk with its open reports


@dataclass
class Desk:
    pending: list[DeskItem]
    reported: list[DeskItem]
    hidden: list[DeskItem]
    history: list[AuditLog]

    @property
    def waiting(self) -> int:
        return len(self.pending) + len(self.reported) + len(self.hidden)


def scope_for(db: Session, user: Any, consultation_id: int) -> Scope:
    """Moderators and admins see the whole consultation, facilitators their meetings."""
    if user.role in ("admin", "moderator"):
        return Scope(consultation_id)
    ids = db.exec(
        select(MeetingFacilitator.meeting_id).where(MeetingFacilitator.user_id == user.id)
    ).all()
    return Scope(consultation_id, frozenset(ids))


def _in_scope(query, scope: Scope):
    query = query.where(Contribution.consultation_id == scope.consultation_id)
    if scope.meeting_ids is not None:
        query = query.where(col(Contribution.meeting_id).in_(list(scope.meeting_ids)))
    return query


def _pending_query(scope: Scope):
    return _in_scope(
        select(Contribution).where(
            Contribution.status == "pending", col(Contribution.live_session_id).is_(None)
        ),
        scope,
    )


def _hidden_items(
    db: Session, scope: Scope
) -> list[tuple[str, Contribution | Comment, Contribution]]:
    proposals = db.exec(
        _in_scope(select(Contribution).where(Contribution.status == "hidden"), scope)
        .order_by(col(Contribution.updated_at).desc(), col(Contribution.id).desc())
        .limit(LIMIT)
    ).all()
    comments = db.exec(
        _in_scope(
            select(Comment, Contribution)
            .join(Contribution, col(Contribution.id) == Comment.contribution_id)
            .where(Comment.status == "hidden"),
            scope,
        )
        .order_by(col(Comment.id).desc())
        .limit(LIMIT)
    ).all()
    items: list[tuple[str, Contribution | Comment, Contribution]] = [
        ("proposta", p, p) for p in proposals
    ]
    return items + [("commento", c, p) for c, p in comments]


def desk(db: Session, scope: Scope) -> Desk:
    """Every section of the desk for one moderator."""
    pending = db.exec(
        _pending_query(scope)
        .order_by(col(Contribution.created_at), col(Contribution.id))
        .limit(LIMIT)
    ).all()
    reported = [
        entry
        for entry in report_queue.reported_items(db, scope.consultation_id)
        if scope.covers(entry.contribution)
    ]
    open_reports = {(e.kind, e.item.id): e.reports for e in reported}
    hidden = [
        DeskItem(kind, item, contribution, open_reports.get((kind, item.id), []))
        for kind, item, contribution in _hidden_items(db, scope)
    ]
    return Desk(
        pending=[DeskItem("proposta", c, c) for c in pending],
        reported=[entry for entry in reported if entry.item.status != "hidden"],
        hidden=hidden,
        history=history(db, scope),
    )


def waiting_count(db: Session, scope: Scope) -> int:
    """Items that wait for a decision: pending online proposals and open-reported items."""
    pending = db.exec(select(func.count()).select_from(_pending_query(scope).subquery())).one()
    reported = {
        (entry.kind, entry.item.id)
        for entry in report_queue.reported_items(db, scope.consultation_id)
        if scope.covers(entry.contribution)
    }
    return int(pending) + len(reported)


def history(db: Session, scope: Scope) -> list[AuditLog]:
    """The latest moderation decisions on items in scope, from the desk and the live queues."""
    entries = db.exec(
        select(AuditLog)
        .where(
            col(AuditLog.entity_type).in_(("contribution", "comment")),
            col(AuditLog.action).like("moderation.%")
            | col(AuditLog.action).like("%.reports-%")
            | col(AuditLog.action).like("%.hidden-by-reports"),
        )
        .order_by(col(AuditLog.id).desc())
        .limit(HISTORY_LIMIT * 5)
    ).all()
    kept = []
    for entry in entries:
        kind = "commento" if entry.entity_type == "comment" else "proposta"
        target = target_of(db, kind, int(entry.entity_id), scope)
        if target is not None:
            kept.append(entry)
        if len(kept) == HISTORY_LIMIT:
            break
    return kept


def target_of(db: Session, kind: str, item_id: int, scope: Scope) -> Contribution | Comment | None:
    """The proposal or comment a decision names, if it is in this moderator's scope."""
    item = report_queue.reported_target(db, kind, item_id, scope.consultation_id)
    if item is None:
        return None
    contribution = (
        item if isinstance(item, Contribution) else db.get(Contribution, item.contribution_id)
    )
    return item if contribution is not None and scope.covers(contribution) else None


def decide(
    db: Session, item: Contribution | Comment, action: str, *, actor_id: int, reason: str = ""
) -> None:
    """Approve or reject a pending proposal, restore or confirm-hide a reported or hidden item.

    The author hears of it when an address is known (rejections with the reason)."""
    if action not in ACTIONS:
        raise DeskError("action")
    if action in ("approve", "reject"):
        if not isinstance(item, Contribution) or item.live_session_id is not None:
            raise DeskError("state")
        if action == "approve" and item.status != "pending":
            raise DeskError("state")
        try:
            if action == "approve":
                moderation.approve(db, item, actor_id=actor_id)
            else:
                moderation.reject(db, item, actor_id=actor_id, reason=reason)
        except moderation.ModerationError as error:
            raise DeskError(error.code) from error
        _tell(db, item, "approved" if action == "approve" else "rejected")
        return
    was = item.status
    decision = "mantieni" if action == "restore" else "nascondi"
    if not report_queue.decide(db, item, decision=decision, actor_id=actor_id):
        raise DeskError("state")
    if isinstance(item, Contribution) and (was == "hidden" or action == "hide"):
        _tell(db, item, "restored" if action == "restore" else "hidden")


def _tell(db: Session, contribution: Contribution, kind: str) -> None:
    """The author learns the decision from their address even without a follow."""
    notifications.status_changed(db, contribution, kind, direct=True)


def bulk(
    db: Session,
    targets: list[Contribution | Comment],
    action: str,
    *,
    actor_id: int,
    reason: str = "",
) -> int:
    """One decision on many items; items whose state refuses it are skipped."""
    if action not in ACTIONS:
        raise DeskError("action")
    if action == "reject" and not reason.strip():
        raise DeskError("reason")
    done = 0
    for target in targets:
        try:
            decide(db, target, action, actor_id=actor_id, reason=reason)
        except DeskError as error:
            if error.code == "reason":
                raise
            continue
        done += 1
    return done
