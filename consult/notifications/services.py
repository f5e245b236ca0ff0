"""Events become outbox rows in the event's own transaction; follows are asked, confirmed, ended.

Services add and flush: the rows commit with the event or not at all. They set a flag on the
session; `notifications.jobs` starts a delivery run once that session commits.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from consult.common.models import utcnow
from consult.framework import phases
from consult.framework.models import Consultation, Objective, Territory
from consult.notifications.models import FOLLOW_KINDS, FREQUENCIES, Follow, Notification
from consult.proposals.models import Contribution

PENDING_FLAG = "consult.notifications.pending"
AUTHOR_EVENTS = ("approved", "rejected", "merged", "hidden", "restored")


def _mark(db: Session) -> None:
    db.info[PENDING_FLAG] = True


def _queue(db: Session, rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows, skipping any (address, event) already queued: nothing is sent twice."""
    if not rows:
        return
    dialect = db.get_bind().dialect.name
    table = Notification.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    values = [
        {"status": "queued", "attempts": 0, "created_at": now, "payload": {}, **row} for row in rows
    ]
    db.execute(insert(table).on_conflict_do_nothing(index_elements=["email", "event_key"]), values)
    db.flush()
    _mark(db)


def _active(kind: str, target_ids: Iterable[int | None]) -> SelectOfScalar[Follow]:
    return select(Follow).where(
        Follow.kind == kind,
        col(Follow.target_id).in_(list(target_ids)),
        col(Follow.confirmed_at).is_not(None),
        col(Follow.unsubscribed_at).is_(None),
    )


def _row(follow: Follow, event_key: str, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "email": follow.email,
        "event_key": event_key,
        "kind": kind,
        "locale": follow.locale,
        "follow_id": follow.id,
        "payload": payload,
        "status": "digest" if follow.frequency == "daily" else "queued",
    }


def _proposal_payload(contribution: Contribution) -> dict[str, Any]:
    return {
        "contribution_id": contribution.id,
        "consultation_id": contribution.consultation_id,
        "title": contribution.title or "",
    }


def consultation_slug(db: Session, payload: dict[str, Any]) -> str | None:
    """The slug of the consultation a message is about, for its links under ``/c/<slug>/``:
    the one in its payload, else (rows queued before payloads named it) its proposal's."""
    consultation_id = payload.get("consultation_id")
    if not consultation_id and payload.get("contribution_id"):
        contribution = db.get(Contribution, payload["contribution_id"])
        consultation_id = contribution.consultation_id if contribution is not None else None
    consultation = db.get(Consultation, consultation_id) if consultation_id else None
    return consultation.slug if consultation is not None else None


def submitted(db: Session, contribution: Contribution, *, locale: str, notify: bool) -> None:
    """The receipt with the private link, and (opt-in) the author's follow of the proposal."""
    email = (contribution.author_email or "").strip().lower()
    if not email:
        return
    follow = None
    if notify:
        follow = _follow(db, email, "author", contribution.id or 0, locale)
        follow.confirmed_at = follow.confirmed_at or utcnow()
        follow.unsubscribed_at = None
        db.add(follow)
        db.flush()
    payload = {**_proposal_payload(contribution), "token": contribution.tracking_token}
    payload["notify"] = bool(notify)
    _queue(
        db,
        [
            {
                "email": email,
                "event_key": f"receipt:{contribution.id}",
                "kind": "receipt",
                "locale": locale,
                "follow_id": follow.id if follow else None,
                "payload": payload,
            }
        ],
    )


def status_changed(
    db: Session,
    contribution: Contribution,
    kind: str,
    *,
    kept: Contribution | None = None,
    direct: bool = False,
) -> None:
    """Tell the author (if they asked) that their proposal was approved, rejected, merged,
    hidden or restored; with `direct`, also an author who left an address but no follow."""
    if kind not in AUTHOR_EVENTS:
        raise ValueError(kind)
    payload = {**_proposal_payload(contribution), "token": contribution.tracking_token}
    if kind == "rejected":
        payload["reason"] = contribution.rejection_reason or ""
    if kept is not None:
        payload["kept_id"] = kept.id
        payload["kept_title"] = kept.title or kept.text[:120]
    follows = db.exec(_active("author", [contribution.id or 0])).all()
    rows = [_row(f, f"{kind}:{contribution.id}", kind, payload) for f in follows]
    email = (contribution.author_email or "").strip().lower()
    if direct and email and not rows:
        # A moderator's decision reaches the author even without a follow, like the receipt.
        rows = [
            {
                "email": email,
                "event_key": f"{kind}:{contribution.id}",
                "kind": kind,
                "locale": "it",
                "follow_id": None,
                "payload": payload,
            }
        ]
    _queue(db, rows)


def answer_published(
    db: Session,
    *,
    response_id: int,
    consultation_id: int,
    status: str,
    text: str,
    contributions: list[Contribution],
    objective_ids: Iterable[int],
) -> None:
    """One message per address about one published answer: authors and followers of the
    proposals it concerns, followers of its objectives and of those proposals' territories.

    While the consultation's phase keeps answers private the messages are held back, and
    `release_held` lets them go once a phase publishing answers runs."""
    key = f"answer:{response_id}"
    base = {
        "response_id": response_id,
        "consultation_id": consultation_id,
        "status": status,
        "text": text[:2000],
    }
    by_id = {c.id: c for c in contributions if c.id is not None}
    rows: dict[str, dict[str, Any]] = {}

    def add(follows: Iterable[Follow], extra) -> None:
        for follow in follows:
            rows.setdefault(follow.email, _row(follow, key, "answered", {**base, **extra(follow)}))

    add(
        db.exec(_active("author", by_id)).all(),
        lambda f: {
            **_proposal_payload(by_id[f.target_id]),
            "token": by_id[f.target_id].tracking_token,
        },
    )
    add(db.exec(_active("proposal", by_id)).all(), lambda f: _proposal_payload(by_id[f.target_id]))
    objectives = {*objective_ids, *(c.suggested_objective_id for c in by_id.values())} - {None}
    add(db.exec(_active("objective", objectives)).all(), lambda f: {"objective_id": f.target_id})
    territories = {c.territory_id for c in by_id.values()} - {None}
    add(db.exec(_active("territory", territories)).all(), lambda f: {"territory_id": f.target_id})
    if not phases.answers_public(db, consultation_id):
        for row in rows.values():
            row["payload"] = {**row["payload"], "release_as": row["status"]}
            row["status"] = "held"
    _queue(db, list(rows.values()))


def answer_withdrawn(db: Session, response_id: int) -> None:
    """An answer withdrawn before it could go out: its held messages never will."""
    db.exec(  # type: ignore[call-overload]
        update(Notification)
        .where(
            col(Notification.event_key) == f"answer:{response_id}",
            col(Notification.status) == "held",
        )
        .values(status="cancelled")
    )
    db.flush()


def release_held(db: Session) -> int:
    """Let held answer messages go (queued, or waiting for the digest) for every consultation
    whose answers are public now; return how many."""
    held = list(db.exec(select(Notification).where(Notification.status == "held")).all())
    public: dict[int, bool] = {}
    released = 0
    for row in held:
        consultation_id = int(row.payload.get("consultation_id") or 0)
        if consultation_id not in public:
            public[consultation_id] = phases.answers_public(db, consultation_id)
        if public[consultation_id]:
            row.status = row.payload.get("release_as") or "queued"
            db.add(row)
            released += 1
    if released:
        db.flush()
        _mark(db)
    return released


def _follow(db: Session, email: str, kind: str, target_id: int, locale: str) -> Follow:
    found = db.exec(
        select(Follow).where(
            Follow.email == email, Follow.kind == kind, Follow.target_id == target_id
        )
    ).first()
    return found or Follow(email=email, kind=kind, target_id=target_id, locale=locale)


def ask_to_follow(
    db: Session, *, email: str, kind: str, target_id: int, frequency: str, locale: str
) -> Follow:
    """Record a follow waiting for confirmation and queue the mail with the signed link."""
    if kind not in FOLLOW_KINDS[1:] or frequency not in FREQUENCIES:
        raise ValueError(kind)
    follow = _follow(db, email.strip().lower(), kind, target_id, locale)
    follow.frequency, follow.locale = frequency, locale
    db.add(follow)
    db.flush()
    if follow.confirmed_at is None or follow.unsubscribed_at is not None:
        day = utcnow().date().isoformat()  # at most one confirmation mail a day per follow
        row = _row(
            follow, f"confirm:{follow.id}:{day}", "confirm", {"kind": kind, "target_id": target_id}
        )
        _queue(db, [{**row, "status": "queued"}])
    return follow


def confirm(db: Session, follow_id: int, email: str) -> Follow | None:
    follow = db.get(Follow, follow_id)
    if follow is None or follow.email != email:
        return None
    follow.confirmed_at = utcnow()
    follow.unsubscribed_at = None
    db.add(follow)
    db.flush()
    return follow


def unsubscribe(db: Session, email: str, follow_id: int | None) -> int:
    """End one follow (or, with None, every follow of the address) and cancel what waits."""
    now = utcnow()
    follows = select(Follow.id).where(Follow.email == email)
    if follow_id is not None:
        follows = follows.where(Follow.id == follow_id)
    ids = list(db.exec(follows).all())
    db.exec(update(Follow).where(col(Follow.id).in_(ids)).values(unsubscribed_at=now))  # type: ignore[call-overload]
    waiting = update(Notification).where(
        col(Notification.email) == email, col(Notification.status).in_(("queued", "digest"))
    )
    if follow_id is not None:
        waiting = waiting.where(col(Notification.follow_id).in_(ids))
    db.exec(waiting.values(status="cancelled"))  # type: ignore[call-overload]
    db.flush()
    return len(ids)


def follows_of(db: Session, email: str) -> list[Follow]:
    return list(
        db.exec(
            select(Follow)
            .where(Follow.email == email, col(Follow.unsubscribed_at).is_(None))
            .order_by(col(Follow.id))
        ).all()
    )


def set_frequency(db: Session, email: str, follow_id: int, frequency: str) -> None:
    follow = db.get(Follow, follow_id)
    if follow is not None and follow.email == email and frequency in FREQUENCIES:
        follow.frequency = frequency
        db.add(follow)
        db.flush()


def personal_data(db: Session, email: str) -> dict[str, Any]:
    """What notifications hold about an address, for the data download."""
    email = email.strip().lower()
    follows = db.exec(select(Follow).where(Follow.email == email)).all()
    sent = db.exec(select(Notification).where(Notification.email == email)).all()
    iso = lambda value: value.isoformat() if value else None  # noqa: E731
    return {
        "follows": [
            {"kind": f.kind, "target_id": f.target_id, "frequency": f.frequency,
             "confirmed_at": iso(f.confirmed_at), "unsubscribed_at": iso(f.unsubscribed_at)}
            for f in follows
        ],
        "notifications": [
            {"kind": n.kind, "status": n.status, "created_at": iso(n.created_at),
             "sent_at": iso(n.sent_at)}
            for n in sent
        ],
    }  # fmt: skip


def erase(db: Session, email: str) -> None:
    """Remove the address's follows and notification log: nothing more is ever sent to it."""
    email = email.strip().lower()
    db.exec(delete(Notification).where(col(Notification.email) == email))  # type: ignore[call-overload]
    db.exec(delete(Follow).where(col(Follow.email) == email))  # type: ignore[call-overload]
    db.flush()


def retry_delay(attempts: int) -> timedelta:
    """Back off 30 s, 1, 2, 4 ... minutes, at most 6 hours, after each failed attempt."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def target_exists(db: Session, kind: str, target_id: int, framework_id: int) -> bool:
    """Whether a follower may follow this: a published proposal, an objective or a territory
    of the consultation's framework (another framework's is not this consultation's)."""
    if kind == "proposal":
        found = db.get(Contribution, target_id)
        return found is not None and found.status == "published"
    target: Objective | Territory | None = None
    if kind == "objective":
        target = db.get(Objective, target_id)
    elif kind == "territory":
        target = db.get(Territory, target_id)
    return target is not None and target.framework_id == framework_id
