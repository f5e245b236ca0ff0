"""Personal-data rights: download everything we hold about an account, and erase it.

Erasure keeps what people contributed to the consultation (proposals, comments, supports count)
but removes who they were: the account row goes, links to it become NULL, names and e-mail
addresses written on their contributions are wiped.
"""

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlmodel import Session, SQLModel, col, func, select

from consult.accounts.models import User
from consult.accounts.services import stored_user_id
from consult.common import audit
from consult.common.models import AuditLog
from consult.meetings.models import MeetingRegistration
from consult.notifications import services as notifications
from consult.proposals.models import AbuseReport, Comment, Contribution, Support

ERASED = "[dato personale rimosso]"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def own_contributions(db: Session, user: User) -> list[Contribution]:
    """Proposals written from the account or attached to it with their tracking link, and
    those signed with its address once the address is verified: registering someone else's
    address gives nothing of theirs."""
    mine = col(Contribution.author_id) == user.id
    if user.email_verified:
        mine = or_(mine, func.lower(Contribution.author_email) == user.email.lower())
    return list(db.exec(select(Contribution).where(mine).order_by(col(Contribution.id))).all())


def _audit_about(db: Session, user: User) -> list[AuditLog]:
    return list(
        db.exec(
            select(AuditLog)
            .where(
                or_(
                    col(AuditLog.actor_id) == user.id,
                    (col(AuditLog.entity_type) == "user")
                    & (col(AuditLog.entity_id) == str(user.id)),
                )
            )
            .order_by(col(AuditLog.id))
        ).all()
    )


def export(db: Session, user: User, tracking_url: Callable[[str], str]) -> dict[str, Any]:
    """Everything we hold about the account, as JSON-ready data (never the password hash)."""
    account = {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "locale": user.locale,
        "active": user.active,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "email_verified_at": _iso(user.email_verified_at),
    }
    return {
        "account": account,
        "proposals": [_proposal(c, tracking_url) for c in own_contributions(db, user)],
        "supports": [
            {"proposal_id": s.contribution_id, "created_at": _iso(s.created_at)}
            for s in db.exec(select(Support).where(Support.user_id == user.id)).all()
        ],
        "comments": [
            {
                "id": c.id,
                "proposal_id": c.contribution_id,
                "author_name": c.author_name,
                "text": c.text,
                "status": c.status,
                "created_at": _iso(c.created_at),
            }
            for c in db.exec(select(Comment).where(Comment.author_id == user.id)).all()
        ],
        "abuse_reports": [
            {
                "id": r.id,
                "proposal_id": r.contribution_id,
                "comment_id": r.comment_id,
                "reason": r.reason,
                "created_at": _iso(r.created_at),
                "resolution": r.resolution,
            }
            for r in db.exec(select(AbuseReport).where(AbuseReport.reporter_id == user.id)).all()
        ],
        "audit_log": [
            {
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "by_this_account": e.actor_id == user.id,
                "before": e.before,
                "after": e.after,
                "created_at": _iso(e.created_at),
            }
            for e in _audit_about(db, user)
        ],
        "meeting_registrations": [
            {
                "meeting_id": r.meeting_id,
                "name": r.name,
                "email": r.email,
                "created_at": _iso(r.created_at),
            }
            for r in _own_registrations(db, user)
        ],
        **notifications.personal_data(db, user.email),
    }


def _own_registrations(db: Session, user: User) -> list[MeetingRegistration]:
    """Registrations to meetings made with the account's address, once it is verified."""
    if not user.email_verified:
        return []
    email = user.email.strip().lower()
    return list(db.exec(select(MeetingRegistration).where(MeetingRegistration.email == email)))


def _proposal(c: Contribution, tracking_url: Callable[[str], str]) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "text": c.text,
        "channel": c.channel,
        "status": c.status,
        "rejection_reason": c.rejection_reason,
        "author_name": c.author_name,
        "author_email": c.author_email,
        "participant_role": c.participant_role,
        "created_at": _iso(c.created_at),
        "tracking_url": tracking_url(c.tracking_token),
    }


def delete_account(db: Session, user: User) -> None:
    """Erase the account and anonymise what it contributed, in the caller's transaction."""
    emails = {user.email, *(c.author_email for c in own_contributions(db, user))} - {None}
    for email in emails:
        notifications.erase(db, email or "")
    identifiers = {user.email.casefold()}
    if user.display_name.strip():
        identifiers.add(user.display_name.strip().casefold())
    written = {user.email, user.display_name.strip()} - {""}  # as typed inside free texts
    for contribution in own_contributions(db, user):
        contribution.author_id = None
        contribution.author_name = None
        contribution.author_email = None
        contribution.provenance = _scrub(contribution.provenance, identifiers)
        db.add(contribution)
    for comment in db.exec(select(Comment).where(Comment.author_id == user.id)).all():
        comment.author_name = None
        comment.text = _scrub_text(comment.text, written)
        db.add(comment)
    for report in db.exec(select(AbuseReport).where(AbuseReport.reporter_id == user.id)).all():
        report.reason = _scrub_text(report.reason, written)
        db.add(report)
    for registration in _own_registrations(db, user):  # still counted, no longer named
        registration.name, registration.email = "", None
        db.add(registration)
    for entry in _audit_about(db, user):
        entry.before = _scrub(entry.before, identifiers)
        entry.after = _scrub(entry.after, identifiers)
        db.add(entry)
    db.flush()
    _unlink_everywhere(db, user.id)
    user_id = stored_user_id(user)
    db.delete(user)
    db.flush()
    audit.record(db, actor_id=None, action="user.erased", entity_type="user", entity_id=user_id)


def _unlink_everywhere(db: Session, user_id: int | None) -> None:
    """Every column pointing at the user becomes NULL; rows that need it (a link table) go."""
    for table in SQLModel.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "user":
                continue
            column = fk.parent
            if column.nullable:
                db.exec(update(table).where(column == user_id).values({column.name: None}))
            else:
                db.exec(delete(table).where(column == user_id))


def _scrub_text(text: str, identifiers: set[str]) -> str:
    """Replace the person's e-mail and name wherever they appear inside a free text (as whole
    words: a name "Ada" leaves "strada" alone)."""
    for identifier in sorted(identifiers, key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(identifier)}(?!\w)"
        text = re.sub(pattern, ERASED, text, flags=re.IGNORECASE)
    return text


def _scrub(value: Any, identifiers: set[str]) -> Any:
    """Replace strings equal to the person's e-mail or name, anywhere inside JSON data."""
    if isinstance(value, dict):
        return {key: _scrub(item, identifiers) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, identifiers) for item in value]
    if isinstance(value, str) and value.strip().casefold() in identifiers:
        return ERASED
    return value
