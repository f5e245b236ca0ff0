"""The facilitators' queue of reported proposals and comments: hide an item, or keep it
published, and close its open reports either way."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from consult.common import audit
from consult.common.models import utcnow
from consult.proposals.models import AbuseReport, Comment, Contribution

DECISIONS = {"nascondi": "hidden", "mantieni": "published"}
QUEUE_LIMIT = 500  # open reports read per page view; a queue longer than this is an incident


@dataclass
class ReportedItem:
    """One reported item with its open reports, oldest first."""

    kind: str
    item: Contribution | Comment
    contribution: Contribution
    reports: list[AbuseReport] = field(default_factory=list)

    @property
    def from_accounts(self) -> int:
        return sum(1 for r in self.reports if r.reporter_id is not None)

    @property
    def key(self) -> str:
        """How a form names the item: `proposta-<id>` or `commento-<id>`."""
        return f"{self.kind}-{self.item.id}"


def reported_items(db: Session, consultation_id: int) -> list[ReportedItem]:
    """Proposals and comments of the consultation with open reports, first reported first."""
    on_proposals = (
        select(AbuseReport, Contribution, Contribution)
        .join(Contribution, col(Contribution.id) == AbuseReport.contribution_id)
        .where(Contribution.consultation_id == consultation_id)
    )
    on_comments = (
        select(AbuseReport, Comment, Contribution)
        .join(Comment, col(Comment.id) == AbuseReport.comment_id)
        .join(Contribution, col(Contribution.id) == Comment.contribution_id)
        .where(Contribution.consultation_id == consultation_id)
    )
    items: dict[tuple[str, int | None], ReportedItem] = {}
    for kind, query in (("proposta", on_proposals), ("commento", on_comments)):
        rows = db.exec(
            query.where(col(AbuseReport.resolved_at).is_(None))
            .order_by(col(AbuseReport.created_at), col(AbuseReport.id))
            .limit(QUEUE_LIMIT)
        ).all()
        for report, item, contribution in rows:
            entry = items.setdefault((kind, item.id), ReportedItem(kind, item, contribution))
            entry.reports.append(report)
    return sorted(items.values(), key=lambda entry: entry.reports[0].created_at)


def reported_target(
    db: Session, kind: str, item_id: int, consultation_id: int
) -> Contribution | Comment | None:
    """The proposal or comment of this consultation that a queue action names."""
    item: Contribution | Comment | None = None
    if kind == "proposta":
        item = db.get(Contribution, item_id)
    elif kind == "commento":
        item = db.get(Comment, item_id)
    if item is None:
        return None
    contribution = (
        item if isinstance(item, Contribution) else db.get(Contribution, item.contribution_id)
    )
    if contribution is None or contribution.consultation_id != consultation_id:
        return None
    return item


def decide(db: Session, target: Contribution | Comment, *, decision: str, actor_id: int) -> bool:
    """Hide the item or keep it published and close its open reports; False when the item is
    neither published nor hidden (rejected, merged...) and the decision does not apply."""
    status = DECISIONS[decision]
    before = target.status
    if before not in DECISIONS.values():
        return False
    column = (
        AbuseReport.contribution_id if isinstance(target, Contribution) else AbuseReport.comment_id
    )
    now = utcnow()
    for report in db.exec(
        select(AbuseReport).where(column == target.id, col(AbuseReport.resolved_at).is_(None))
    ).all():
        report.resolved_at, report.resolved_by_id = now, actor_id
        report.resolution = "hidden" if status == "hidden" else "kept"
        db.add(report)
    target.status = status
    db.add(target)
    entity_type = type(target).__name__.lower()
    audit.record(
        db,
        actor_id=actor_id,
        action=f"{entity_type}.reports-{'hidden' if status == 'hidden' else 'kept'}",
        entity_type=entity_type,
        entity_id=target.id or 0,
        before={"status": before},
        after={"status": status},
    )
    db.flush()
    return True
