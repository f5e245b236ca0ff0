"""Phones in a live room: who they are (a hash per session), their consent, the feed, supports.

A phone's identity is the random token of its signed cookie; here it becomes a hash salted with
the session, so one browser is a different phone in every session. The same hash keys its
`Support` rows (one support per phone and proposal), its ballots and its poll answers.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, func, select

from consult.common import audit
from consult.common.models import utcnow
from consult.live.models import LivePhone
from consult.meetings.models import LiveSession
from consult.meetings.services import stored_id
from consult.proposals import engagement
from consult.proposals.models import Contribution, Support

FEED_LIMIT = 100
FEED_ORDERS = ("sostegno", "recenti")


def phone_hash(live_session_id: int, token: str) -> str:
    """The stored name of a phone in one session (never the cookie's token itself)."""
    return hashlib.sha256(f"live:{live_session_id}:{token}".encode()).hexdigest()


def find(db: Session, live_session_id: int, token: str) -> LivePhone | None:
    return db.exec(
        select(LivePhone).where(
            LivePhone.live_session_id == live_session_id,
            LivePhone.phone_hash == phone_hash(live_session_id, token),
        )
    ).first()


def register(db: Session, live_session_id: int, token: str) -> LivePhone:
    """The phone's row in this session, created on first use; a race of two taps makes one."""
    phone = find(db, live_session_id, token)
    if phone is not None:
        return phone
    try:
        with db.begin_nested():
            phone = LivePhone(
                live_session_id=live_session_id, phone_hash=phone_hash(live_session_id, token)
            )
            db.add(phone)
    except IntegrityError:  # the other tap won: use its row
        found = find(db, live_session_id, token)
        if found is None:
            raise
        return found
    return phone


def has_consented(db: Session, live_session_id: int, token: str | None) -> bool:
    if not token:
        return False
    phone = find(db, live_session_id, token)
    return phone is not None and phone.consented_at is not None


def record_consent(db: Session, live_session_id: int, token: str) -> None:
    """Consent is asked once per phone and session; the first proposal sent with it records it."""
    phone = register(db, live_session_id, token)
    if phone.consented_at is None:
        phone.consented_at = utcnow()
        db.add(phone)
        db.flush()


Row = TypeVar("Row", bound=SQLModel)


def one_per_phone(
    db: Session,
    find: Callable[[], Row | None],
    make: Callable[[], Row],
    update: Callable[[Row], None],
) -> Row:
    """The phone's one row (ballot, answer): created once, updated afterwards; two taps racing
    to create it end with one row, the later tap's values written over the first."""
    row = find()
    if row is None:
        try:
            with db.begin_nested():
                row = make()
                db.add(row)
            return row
        except IntegrityError:  # the other tap created it first
            row = find()
            if row is None:
                raise
    update(row)
    db.add(row)
    db.flush()
    return row


class SupportOutcome(Enum):
    ADDED = "added"
    ALREADY = "already"
    CLOSED = "closed"  # supports are off, the session is closed, or it is not on the feed


@dataclass(frozen=True)
class FeedItem:
    contribution: Contribution
    supports: int
    supported: bool


def _participant(live_session_id: int, token: str) -> engagement.Participant:
    """A phone as the supports' participant: its per-session hash is the stored browser token."""
    return engagement.Participant(browser_token=f"live:{live_session_id}:{token}")


def feed_contribution(db: Session, live: LiveSession, contribution_id: int) -> Contribution | None:
    """A proposal the phones' feed shows: approved, of this session."""
    item = db.get(Contribution, contribution_id)
    if item is None or item.live_session_id != live.id or item.status != "published":
        return None
    return item


def support(
    db: Session, live: LiveSession, contribution: Contribution, token: str
) -> SupportOutcome:
    """One support per phone and proposal; a double tap or a retry changes nothing."""
    if live.status != "open" or not live.supports_enabled or not live.feed_enabled:
        return SupportOutcome.CLOSED
    if feed_contribution(db, live, stored_id(contribution)) is None:
        return SupportOutcome.CLOSED
    register(db, stored_id(live), token)
    added = engagement.add_support(db, contribution, _participant(stored_id(live), token))
    db.flush()
    return SupportOutcome.ADDED if added else SupportOutcome.ALREADY


def feed(
    db: Session,
    live: LiveSession,
    token: str | None,
    *,
    group_id: int | None = None,
    order: str = "sostegno",
) -> list[FeedItem]:
    """The approved proposals of the room (or of one working group), most supported or newest
    first, each with its supports and whether this phone gave one."""
    rows = room_feed(db, live, group_id=group_id, order=order)
    mine = supported_ids(db, stored_id(live), token, [stored_id(c) for c, _n in rows])
    return [FeedItem(c, n, stored_id(c) in mine) for c, n in rows]


def room_feed(
    db: Session, live: LiveSession, *, group_id: int | None = None, order: str = "sostegno"
) -> list[tuple[Contribution, int]]:
    """The part of the feed every phone of the room shares: the proposals and their supports."""
    supports = (
        select(Support.contribution_id, func.count().label("n"))
        .group_by(col(Support.contribution_id))
        .subquery()
    )
    count = func.coalesce(supports.c.n, 0)
    query = (
        select(Contribution, count)
        .outerjoin(supports, supports.c.contribution_id == Contribution.id)
        .where(Contribution.live_session_id == live.id, Contribution.status == "published")
    )
    if group_id:
        query = query.where(Contribution.working_group_id == group_id)
    newest = (col(Contribution.published_at).desc(), col(Contribution.id).desc())
    by_support = order == "sostegno"
    query = query.order_by(count.desc(), *newest) if by_support else query.order_by(*newest)
    return [(c, int(n)) for c, n in db.exec(query.limit(FEED_LIMIT)).all()]


def supported_ids(db: Session, live_session_id: int, token: str | None, ids: list[int]) -> set[int]:
    """Which of `ids` this phone supports."""
    if not token or not ids:
        return set()
    hashed = _participant(live_session_id, token).token_hash
    return set(
        db.exec(
            select(Support.contribution_id).where(
                col(Support.contribution_id).in_(ids), Support.browser_token == hashed
            )
        )
    )


def set_switches(
    db: Session, live: LiveSession, *, feed_enabled: bool, supports_enabled: bool, actor_id: int
) -> None:
    """The facilitator turns the phones' feed and supports on or off."""
    before = {"feed_enabled": live.feed_enabled, "supports_enabled": live.supports_enabled}
    live.feed_enabled, live.supports_enabled = feed_enabled, supports_enabled
    db.add(live)
    audit.record(
        db,
        actor_id=actor_id,
        action="live_session.switches",
        entity_type="live_session",
        entity_id=stored_id(live),
        before=before,
        after={"feed_enabled": feed_enabled, "supports_enabled": supports_enabled},
    )
    db.flush()
