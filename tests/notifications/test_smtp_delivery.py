"""Notifications end to end against a real SMTP server: receipt, outcomes, unsubscribe, retries."""

import re

from sqlmodel import select

from consult import db as app_db
from consult.live import moderation
from consult.notifications import jobs
from consult.notifications.models import Follow, Notification
from consult.proposals.models import Contribution
from tests.notifications.conftest import free_port, start_smtp
from tests.web.route_world import log_in

EMAIL = "autrice@example.org"
BASE = "https://partecipa.example.it"


def _submit(client, **extra):
    data = {
        "text": "Servono più educatori nei centri diurni per i ragazzi con disabilità.",
        "title": "Educatori nei centri diurni",
        "territory": "torino",
        "role": "cittadino",
        "email": EMAIL,
        "consent": "y",
        "notify": "y",
        "idempotency_key": "n" * 32,
        **extra,
    }
    response = client.post("/proposte/nuova", data=data)
    assert response.status_code == 303
    return response


def _link(message, prefix: str) -> str:
    body = message.get_content()
    return re.search(re.escape(BASE) + prefix + r"\S+", body).group(0)


def _in_standalone(app, change):
    with app.app_context(), app_db.standalone_session() as session:
        change(session)


def test_receipt_outcomes_and_one_click_unsubscribe(
    smtp_app, smtp_server, client, db, consultation, create_contribution, create_user
):
    _controller, inbox = smtp_server
    planner = create_user(role="planner")
    smtp_app.config["ONLINE_PREMODERATION"] = True
    _submit(client)
    _submit(client)  # a double click: the same proposal, no second receipt
    assert len(inbox.to(EMAIL)) == 1
    receipt = inbox.to(EMAIL)[0]
    contribution = db.exec(select(Contribution)).one()
    tracking = _link(receipt, f"/c/{consultation.slug}/traccia/")  # inside its consultation
    assert tracking == f"{BASE}/c/{consultation.slug}/traccia/{contribution.tracking_token}"
    assert client.get(tracking.removeprefix(BASE)).status_code == 200
    assert receipt["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert receipt["List-Unsubscribe"].startswith(f"<{BASE}/notifiche/disiscrizione/")

    _in_standalone(
        smtp_app,
        lambda s: moderation.approve(
            s, s.get(Contribution, contribution.id), actor_id=planner.id, classify=False
        ),
    )
    assert len(inbox.to(EMAIL)) == 2
    assert "pubblicata" in inbox.to(EMAIL)[1]["Subject"]

    log_in(client, planner)
    created = client.post(
        "/pianificazione/risposte/nuova",
        data={
            "contribution": contribution.id,
            "status": "accolta",
            "text": "La inseriamo nel piano.",
        },
    )
    response_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    client.post(f"/pianificazione/risposte/{response_id}/pubblica")
    client.post(f"/pianificazione/risposte/{response_id}/ritira")
    client.post(f"/pianificazione/risposte/{response_id}/pubblica")  # republished: no second mail
    answered = inbox.to(EMAIL)[2:]
    assert len(answered) == 1 and "La inseriamo nel piano." in answered[0].get_content()

    kept = create_contribution(title="La proposta tenuta")
    _in_standalone(
        smtp_app,
        lambda s: moderation.merge(
            s,
            s.get(Contribution, contribution.id),
            s.get(Contribution, kept.id),
            actor_id=planner.id,
        ),
    )
    merged = inbox.to(EMAIL)[3:]
    kept_url = f"{BASE}/c/{consultation.slug}/proposte/{kept.id}"
    assert len(merged) == 1 and kept_url in merged[0].get_content()

    unsubscribe = _link(merged[0], "/notifiche/disiscrizione/").removeprefix(BASE)
    assert client.get(unsubscribe).status_code == 200  # a confirm page, nothing changed
    assert db.exec(select(Follow)).one().unsubscribed_at is None
    one_click = client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    db.expire_all()
    assert db.exec(select(Follow)).one().unsubscribed_at is not None

    other = create_contribution(title="Altra", author_email=EMAIL)
    create_response = client.post(
        "/pianificazione/risposte/nuova",
        data={"contribution": contribution.id, "status": "attuata", "text": "Fatto."},
    )
    second = int(create_response.headers["Location"].rstrip("/").split("/")[-2])
    client.post(f"/pianificazione/risposte/{second}/pubblica")
    assert other.id and len(inbox.to(EMAIL)) == 4  # after the unsubscribe: none


def test_a_closed_port_keeps_rows_queued_and_a_later_run_delivers_once(
    smtp_app, client, db, consultation
):
    port = free_port()  # nothing listens there
    smtp_app.config["MAIL_PORT"] = port
    _submit(client)
    row = db.exec(select(Notification)).one()
    assert row.status == "queued" and row.attempts == 1 and row.sent_at is None
    assert "127.0.0.1" in (row.last_error or "")

    controller, inbox = start_smtp(port)
    try:
        row.next_attempt_at = None  # the back-off has passed
        db.add(row)
        db.commit()
        with smtp_app.app_context():
            assert jobs.deliver() == {"sent": 1, "failed": 0}
            assert jobs.deliver() == {"sent": 0, "failed": 0}
    finally:
        controller.stop()
    assert len(inbox.to(EMAIL)) == 1
    db.expire_all()
    row = db.exec(select(Notification)).one()
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None


def test_daily_followers_get_one_digest(
    smtp_app, smtp_server, db, consultation, objectives, runner
):
    from consult.common.models import utcnow
    from consult.notifications import services

    _controller, inbox = smtp_server
    objective = next(iter(objectives.values()))
    follow = Follow(
        email="segue@example.org", kind="objective", target_id=objective.id,
        frequency="daily", confirmed_at=utcnow(),
    )  # fmt: skip
    db.add(follow)
    db.commit()
    for number in (1, 2):
        services.answer_published(
            db, response_id=number, consultation_id=consultation.id,
            status="accolta", text=f"Risposta {number}",
            contributions=[], objective_ids=[objective.id],
        )  # fmt: skip
    db.commit()
    assert inbox.to("segue@example.org") == []
    result = runner.invoke(args=["notifications", "digest"])
    assert "digests 1, sent 1" in result.output
    (digest,) = inbox.to("segue@example.org")
    assert "Risposta 1" in digest.get_content() and "Risposta 2" in digest.get_content()
