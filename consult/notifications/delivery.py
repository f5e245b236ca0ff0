"""Delivery runs: claim due rows, hand each to a sender, record sent or the error and retry.

A run claims rows with one conditional UPDATE (status queued -> sending, stamped with the run's
claim), so two runs never send the same row; a row whose run died is freed after a while.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, or_, update
from sqlmodel import Session, col, select

from consult.common.models import utcnow
from consult.notifications.models import Notification
from consult.notifications.services import PENDING_FLAG, retry_delay
from consult.notifications.services import release_held as release_held_rows

BATCH = 200
MAX_ATTEMPTS = 12
STALE_CLAIM = timedelta(minutes=15)


def _claim(engine: Engine, limit: int) -> list[Notification]:
    claim = uuid.uuid4().hex
    now = utcnow()
    with Session(engine, expire_on_commit=False) as db:
        db.exec(  # type: ignore[call-overload]
            update(Notification)
            .where(
                col(Notification.status) == "sending",
                col(Notification.next_attempt_at) < now - STALE_CLAIM,
            )
            .values(status="queued")
        )
        due = select(Notification.id).where(
            Notification.status == "queued",
            or_(
                col(Notification.next_attempt_at).is_(None),
                col(Notification.next_attempt_at) <= now,
            ),
        )
        ids = list(db.exec(due.order_by(col(Notification.id)).limit(limit)).all())
        if not ids:
            db.commit()
            return []
        db.exec(  # type: ignore[call-overload]
            update(Notification)
            .where(col(Notification.id).in_(ids), col(Notification.status) == "queued")
            .values(status="sending", claim=claim, next_attempt_at=now)
        )
        db.commit()
        return list(db.exec(select(Notification).where(Notification.claim == claim)).all())


def release_held(engine: Engine) -> int:
    """Let go the answers held back whose consultation's phase now publishes answers."""
    with Session(engine) as db:
        released = release_held_rows(db)
        db.info.pop(PENDING_FLAG, None)  # the caller's run delivers them: no second run
        db.commit()
    return released


def run(engine: Engine, send: Callable[[list[Notification]], dict[int, str]]) -> dict[str, int]:
    """Deliver every due row; `send` returns the error of each row it could not deliver."""
    counts = {"sent": 0, "failed": 0}
    while rows := _claim(engine, BATCH):
        errors = send(rows)
        now = utcnow()
        with Session(engine) as db:
            for row in rows:
                row = db.merge(row)
                row.attempts += 1
                if row.id in errors:
                    row.last_error = errors[row.id][:1000]
                    row.status = "queued" if row.attempts < MAX_ATTEMPTS else "failed"
                    row.next_attempt_at = now + retry_delay(row.attempts)
                    counts["failed"] += 1
                else:
                    row.status, row.sent_at, row.last_error = "sent", now, None
                    counts["sent"] += 1
                row.claim = None
                db.add(row)
            db.commit()
        if errors:
            break  # the server is failing: the next run, after the back-off, tries again
    return counts


def next_due(engine: Engine) -> float | None:
    """Seconds until the earliest queued row is due, or None when nothing waits."""
    with Session(engine) as db:
        first = db.exec(
            select(Notification.next_attempt_at)
            .where(Notification.status == "queued")
            .order_by(col(Notification.next_attempt_at))
        ).first()
        waiting = db.exec(select(Notification.id).where(Notification.status == "queued")).first()
    if waiting is None:
        return None
    if first is None:
        return 0.0
    return max((first - utcnow()).total_seconds(), 0.0)


def build_digests(engine: Engine) -> int:
    """Gather each address's waiting daily rows into one digest row; return how many."""
    today = utcnow().date().isoformat()
    made = 0
    with Session(engine) as db:
        rows = db.exec(
            select(Notification)
            .where(Notification.status == "digest")
            .order_by(col(Notification.id))
        ).all()
        by_email: dict[str, list[Notification]] = {}
        for row in rows:
            by_email.setdefault(row.email, []).append(row)
        for email, items in by_email.items():
            key = f"digest:{today}:{items[-1].id}"
            db.add(
                Notification(
                    email=email,
                    event_key=key,
                    kind="digest",
                    locale=items[-1].locale,
                    payload={"items": [{"kind": i.kind, **i.payload} for i in items]},
                )
            )
            for item in items:
                item.status = "digested"
                db.add(item)
            made += 1
        db.commit()
    return made
