"""Supports, comments and abuse reports on published proposals."""

import hashlib
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from consult.common import audit
from consult.proposals.models import AbuseReport, Comment, Contribution, Support

REPORT_REASONS = ("offensivo", "spam", "dati-personali", "fuori-tema", "altro")


@dataclass(frozen=True)
class Participant:
    """Who acts: an account, or an anonymous browser known only by its token."""

    user_id: int | None = None
    browser_token: str | None = None

    @property
    def token_hash(self) -> str | None:
        """Stored instead of the token, so a database leak cannot impersonate a browser."""
        if self.user_id is not None or not self.browser_token:
            return None
        return hashlib.sha256(self.browser_token.encode()).hexdigest()


def has_supported(db: Session, contribution_id: int, who: Participant) -> bool:
    return _support_of(db, contribution_id, who) is not None


def add_support(db: Session, contribution: Contribution, who: Participant) -> bool:
    """Support once per person; return False when this person already supports it."""
    if contribution.id is None or has_supported(db, contribution.id, who):
        return False
    db.add(
        Support(contribution_id=contribution.id, user_id=who.user_id, browser_token=who.token_hash)
    )
    try:
        db.flush()
    except IntegrityError:  # a double click raced us to the unique constraint
        db.rollback()
        return False
    return True


def _support_of(db: Session, contribution_id: int, who: Participant) -> Support | None:
    query = select(Support).where(Support.contribution_id == contribution_id)
    if who.user_id is not None:
        query = query.where(Support.user_id == who.user_id)
    elif who.token_hash:
        query = query.where(Support.browser_token == who.token_hash)
    else:
        return None
    return db.exec(query).first()


def add_comment(
    db: Session, contribution: Contribution, text: str, *, author_name: str | None, who: Participant
) -> Comment:
    """Publish a comment at once (post-moderation: it can be reported)."""
    comment = Comment(
        contribution_id=contribution.id,  # type: ignore[arg-type]
        author_id=who.user_id,
        author_name=author_name or None,
        text=text,
    )
    db.add(comment)
    db.flush()
    return comment


def published_comments(db: Session, contribution_id: int) -> list[Comment]:
    return list(
        db.exec(
            select(Comment)
            .where(Comment.contribution_id == contribution_id, Comment.status == "published")
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all()
    )


@dataclass(frozen=True)
class ReportOutcome:
    recorded: bool
    hidden: bool


def report(
    db: Session,
    target: Contribution | Comment,
    *,
    reason: str,
    who: Participant,
    threshold: int,
) -> ReportOutcome:
    """Record one report per person; hide the item once `threshold` people reported it."""
    column = (
        AbuseReport.contribution_id if isinstance(target, Contribution) else AbuseReport.comment_id
    )
    if _already_reported(db, column, target.id, who):
        return ReportOutcome(recorded=False, hidden=target.status == "hidden")
    db.add(
        AbuseReport(
            contribution_id=target.id if isinstance(target, Contribution) else None,
            comment_id=target.id if isinstance(target, Comment) else None,
            reason=reason,
            reporter_id=who.user_id,
            reporter_token=who.token_hash,
        )
    )
    db.flush()
    open_reports = db.exec(
        select(func.count())
        .select_from(AbuseReport)
        .where(column == target.id, col(AbuseReport.resolved_at).is_(None))
    ).one()
    if open_reports >= threshold and target.status == "published":
        _hide(db, target)
        return ReportOutcome(recorded=True, hidden=True)
    return ReportOutcome(recorded=True, hidden=target.status == "hidden")


def _already_reported(db: Session, column, target_id: int | None, who: Participant) -> bool:
    query = select(AbuseReport.id).where(column == target_id)
    if who.user_id is not None:
        query = query.where(AbuseReport.reporter_id == who.user_id)
    elif who.token_hash:
        query = query.where(AbuseReport.reporter_token == who.token_hash)
    else:
        return False
    return db.exec(query).first() is not None


def _hide(db: Session, target: Contribution | Comment) -> None:
    """Withdraw the item until a facilitator looks at the reports."""
    target.status = "hidden"
    db.add(target)
    audit.record(
        db,
        actor_id=None,
        action=f"{type(target).__name__.lower()}.hidden-by-reports",
        entity_type=type(target).__name__.lower(),
        entity_id=target.id or 0,
        before={"status": "published"},
        after={"status": "hidden"},
    )
    db.flush()
