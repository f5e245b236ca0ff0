"""Delivery as a background job: render each row in its recipient's language, send, retry.

A session that queued rows (the services set a flag on it) starts one delivery run once it
commits, through the configured executor (a thread on the embedded default, RQ with Redis).
Failed rows stay queued with their error and are retried after a back-off, by a timer in the
thread executor and by `consult notifications send` (cron, or an RQ scheduler) everywhere.
"""

import logging
import threading
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import Flask, current_app, has_app_context, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from consult import db, jobs
from consult.common import mail
from consult.notifications import delivery, services, tokens
from consult.notifications.models import Notification
from consult.notifications.services import PENDING_FLAG

log = logging.getLogger(__name__)
QUEUE_NAME = "consult-notifications"


def _subject(row: Notification) -> str:
    title = row.payload.get("title") or _("n. %(id)s", id=row.payload.get("contribution_id"))
    subjects = {
        "receipt": _("Abbiamo ricevuto la tua proposta «%(title)s»", title=title),
        "approved": _("La tua proposta «%(title)s» è pubblicata", title=title),
        "rejected": _("La tua proposta «%(title)s» non è stata pubblicata", title=title),
        "merged": _("La tua proposta «%(title)s» è stata unita a un'altra", title=title),
        "hidden": _("La tua proposta «%(title)s» resta nascosta", title=title),
        "restored": _("La tua proposta «%(title)s» è di nuovo pubblicata", title=title),
        "answered": _("La Regione ha risposto"),
        "confirm": _("Conferma: vuoi ricevere aggiornamenti?"),
        "digest": _("Gli aggiornamenti di oggi"),
    }
    return subjects[row.kind]


def _links(row: Notification) -> dict[str, Any]:
    """The message's links: site-wide ones (unsubscribe, preferences, confirm) and the
    consultation's pages under its own ``/c/<slug>/`` prefix (built outside any request, so
    the slug comes from the row, never from a request's script root)."""
    secret = str(current_app.secret_key)
    url = current_app.url_for
    links: dict[str, Any] = {
        "unsubscribe": url(
            "notifications.unsubscribe",
            token=tokens.make(secret, "unsubscribe", row.email, row.follow_id),
            _external=True,
        ),
        "manage": url(
            "notifications.preferences",
            token=tokens.make(secret, "manage", row.email),
            _external=True,
        ),
    }
    with db.standalone_session() as session:
        links |= _page_links(
            row.kind, row.payload, services.consultation_slug(session, row.payload)
        )
        if row.kind == "digest":
            items = row.payload.get("items", [])
            slugs = [services.consultation_slug(session, item) for item in items]
            pairs = zip(items, slugs, strict=True)
            pages = [_page_links(i.get("kind", ""), i, s) for i, s in pairs]
            links["items"] = [page.get("proposal", "") for page in pages]
    if row.kind == "confirm":
        links["confirm"] = url(
            "notifications.confirm",
            token=tokens.make(secret, "confirm", row.email, row.follow_id),
            _external=True,
        )
    return links


def _page_links(kind: str, payload: dict[str, Any], slug: str | None) -> dict[str, str]:
    """Links to a consultation's pages (tracking, the proposal, the one it was merged into)."""
    url = partial(current_app.url_for, _external=True, _consultation=slug)
    links = {}
    if payload.get("token"):
        links["tracking"] = url("tracking.track", token=payload["token"])
    if payload.get("kept_id"):
        links["kept"] = url("browse.detail", contribution_id=payload["kept_id"])
    if payload.get("contribution_id") and kind != "receipt":
        links["proposal"] = url("browse.detail", contribution_id=payload["contribution_id"])
    return links


def render(row: Notification, settings: mail.MailSettings) -> EmailMessage:
    """The plain-text message of one row, in its language, with RFC 8058 one-click headers."""
    with force_locale(row.locale or "it"):
        links = _links(row)
        body = render_template(
            f"notifications/mail/{row.kind}.txt", row=row, p=row.payload, links=links
        )
        message = mail.build_message(settings, to=row.email, subject=_subject(row), body=body)
    message["List-Unsubscribe"] = f"<{links['unsubscribe']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    return message


def send_rows(rows: list[Notification]) -> dict[int, str]:
    """Send a batch over one connection; return the error of every row not delivered."""
    settings = mail.MailSettings.from_config(current_app.config)
    errors: dict[int, str] = {}
    try:
        with mail.connection(settings) as send_one:
            for row in rows:
                try:
                    send_one(render(row, settings))
                except mail.MailError as exc:
                    errors[row.id or 0] = str(exc)
    except mail.MailError as exc:
        for row in rows:
            errors.setdefault(row.id or 0, str(exc))
    return errors


def deliver() -> dict[str, int]:
    """The job: deliver every due row, then plan the next try of those that failed."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions["consult.engine"]
    delivery.release_held(engine)
    counts = delivery.run(engine, send_rows)
    if counts["failed"]:
        log.warning(
            "notifications: %s sent, %s failed (will retry)", counts["sent"], counts["failed"]
        )
        _retry_later(app, delivery.next_due(engine))
    return counts


def _retry_later(app: Flask, seconds: float | None) -> None:
    if seconds is None or app.config["ANALYSIS_EXECUTOR"] != "thread":
        return  # RQ and inline: the periodic `consult notifications send` picks them up
    timer = threading.Timer(max(seconds, 1.0), _safe_enqueue, (app,))
    timer.daemon = True
    timer.start()


def _safe_enqueue(app: Flask) -> None:
    try:
        enqueue(app)
    except Exception:  # a timer must never take the process down
        log.exception("notifications: could not start a delivery run")


def enqueue(app: Flask) -> None:
    jobs.enqueue(app, _deliver_logged, name="notifications", timeout=1800, queue_name=QUEUE_NAME)


def _deliver_logged() -> None:
    try:
        deliver()
    except Exception:  # the request is long answered: log, the rows stay queued for later
        log.exception("notifications: delivery run failed")


def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_FLAG, False)
    if pending and has_app_context() and session.get_nested_transaction() is None:
        enqueue(current_app._get_current_object())  # type: ignore[attr-defined]


def _after_rollback(session: Session, _transaction: object) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_FLAG, None)


def init_app(_app: Flask) -> None:
    """Start delivery after any session that queued rows commits (once per process)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
