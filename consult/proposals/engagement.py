"""Supports, comments and abuse reports on published proposals.

Anonymous participants cost nothing to create (a fresh browser is a new one), so their reports
only queue an item for the facilitators: hiding it takes reports from accounts, a moderator, or
the mix `ReportPolicy` describes. Their supports are bounded per address and browser by the
caller (see `participant.anonymous_allowance`).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

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


def has_supported(db: Session, contribution_id: int | None, who: Participant | None) -> bool:
    if contribution_id is None or who is None:
        return False
    return _support_of(db, contribution_id, who) is not None


class SupportOutcome(Enum):
    ADDED = "added"
    ALREADY = "already"
    BOUNDED = "bounded"  # an anonymous browser past its address's or token's allowance


def support(
    db: Session,
    contribution: Contribution,
    who: Participant,
    *,
    anonymous_allowed: Callable[[], bool],
) -> SupportOutcome:
    """Support once per person; an anonymous support also spends `anonymous_allowed`, which is
    asked only for a support that would be new (asking again costs nothing)."""
    if has_supported(db, contribution.id, who):
        return SupportOutcome.ALREADY
    if who.user_id is None and not anonymous_allowed():
        return SupportOutcome.BOUNDED
    return SupportOutcome.ADDED if add_support(db, contribution, who) else SupportOutcome.ALREADY


@dataclass(frozen=True)
class SupportTally:
    total: int = 0
    from_accounts: int = 0


def support_tally(db: Session, contribution_id: int | None) -> SupportTally:
    """How many supports a proposal has, and how many of them came from accounts."""
    if contribution_id is None:
        return SupportTally()
    total, from_accounts = db.exec(
        select(func.count(), func.count(col(Support.user_id))).where(
            Support.contribution_id == contribution_id
        )
    ).one()
    return SupportTally(total=total, from_accounts=from_accounts)


def add_support(db: Session, contribution: Contribution, who: Participant) -> bool:
    """Support once per person; return False when this person already supports it."""
    if contribution.id is None or has_supported(db, contribution.id, who):
        return False
    try:
        with db.begin_nested():  # a savepoint: losing the race undoes this row, not the request
            db.add(
                Support(
                    contribution_id=contribution.id,
                    user_id=who.user_id,
                    browser_token=who.token_hash,
                )
            )
    except IntegrityError:  # a double click raced us to the unique constraint
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


def published_comment(db: Session, comment_id: int) -> Comment | None:
    comment = db.get(Comment, comment_id)
    return comment if comment is not None and comment.status == "published" else None


def published_comments(db: Session, contribution_id: int) -> list[Comment]:
    return list(
        db.exec(
            select(Comment)
            .where(Comment.contribution_id == contribution_id, Comment.status == "published")
            .order_by(col(Comment.created_at), col(Comment.id))
        ).all()
    )


@dataclass(frozen=True)
class ReportPolicy:
    """When reports hide an item before any moderator looked at it.

    An item is hidden once `account_reports + anonymous_weight * anonymous_reports` reaches
    `threshold`. With the default weight 0, anonymous reports never hide anything: they put the
    item in the facilitators' queue. A weight of 0.5 lets two anonymous reports count as one
    from an account. A threshold of 0 leaves every decision to the moderators.
    """

    threshold: int = 3
    anonymous_weight: float = 0.0


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
    policy: ReportPolicy,
) -> ReportOutcome:
    """Record one report per person; hide the item once its open reports weigh enough."""
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
    from_accounts, total = db.exec(
        select(func.count(col(AbuseReport.reporter_id)), func.count()).where(
            column == target.id, col(AbuseReport.resolved_at).is_(None)
        )
    ).one()
    weight = from_accounts + policy.anonymous_weight * (total - from_accounts)
    if policy.threshold > 0 and weight >= policy.threshold and target.status == "published":
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
