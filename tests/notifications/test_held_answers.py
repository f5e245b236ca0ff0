"""Answer e-mails and the "answers published" phase flag, against the real SMTP server: held
back while the phase keeps answers private, sent once a phase publishing them runs, never when
withdrawn in between."""

from datetime import timedelta

from sqlmodel import select

from consult.framework import phases
from consult.framework.models import Phase
from consult.notifications.models import Follow, Notification
from consult.proposals.models import Contribution
from tests.web.route_world import log_in

ANSWER = "Finanziati duecento alloggi sociali."


def _phase(db, consultation, **flags) -> Phase:
    today = phases.today()
    phase = Phase(
        consultation_id=consultation.id,
        name="Ascolto",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
        **flags,
    )
    db.add(phase)
    db.commit()
    return phase


def test_answer_mails_are_held_back_until_the_phase_publishes_answers(
    smtp_app, smtp_server, client, db, consultation, create_contribution, create_user
):
    _controller, inbox = smtp_server
    phase = _phase(db, consultation, allows_proposals=True)
    proposal = create_contribution(text="Più alloggi sociali nei comuni di montagna.")
    db.add(Follow(email="segue@example.org", kind="proposal", target_id=proposal.id,
                  confirmed_at=proposal.created_at))  # fmt: skip
    db.commit()
    log_in(client, create_user(role="planner"))
    created = client.post(
        "/pianificazione/risposte/nuova",
        data={"contribution": proposal.id, "status": "accolta", "text": ANSWER},
    )
    response_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    assert client.post(f"/pianificazione/risposte/{response_id}/pubblica").status_code == 302
    row = db.exec(select(Notification)).one()
    assert row.status == "held" and inbox.to("segue@example.org") == []

    # the administrator opens the phase of the answers: the held message goes out, once
    log_in(client, create_user(role="admin"))
    today = phases.today()
    form = {
        "phases-0-name": phase.name,
        "phases-0-starts_on": (today - timedelta(days=10)).isoformat(),
        "phases-0-ends_on": (today + timedelta(days=10)).isoformat(),
        "phases-0-allows_proposals": "y",
        "phases-0-publishes_answers": "y",
    }
    saved = client.post(f"/admin/consultazioni/{consultation.slug}/fasi", data=form)
    assert saved.status_code == 303
    (message,) = inbox.to("segue@example.org")
    assert ANSWER in message.get_content()
    assert f"/c/{consultation.slug}/proposte/{proposal.id}" in message.get_content()
    db.expire_all()
    assert db.exec(select(Notification)).one().status == "sent"


def test_an_answer_withdrawn_while_held_is_never_sent(
    smtp_app, smtp_server, runner, client, db, consultation, create_contribution, create_user
):
    _controller, inbox = smtp_server
    phase = _phase(db, consultation, allows_proposals=True)
    proposal = create_contribution(text="Più alloggi sociali nei comuni di montagna.")
    db.add(Follow(email="segue@example.org", kind="proposal", target_id=proposal.id,
                  confirmed_at=proposal.created_at))  # fmt: skip
    db.commit()
    log_in(client, create_user(role="planner"))
    created = client.post(
        "/pianificazione/risposte/nuova",
        data={"contribution": proposal.id, "status": "accolta", "text": ANSWER},
    )
    response_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    client.post(f"/pianificazione/risposte/{response_id}/pubblica")
    client.post(f"/pianificazione/risposte/{response_id}/ritira")
    phase.publishes_answers = True
    db.add(phase)
    db.commit()
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0
    assert inbox.to("segue@example.org") == []
    db.expire_all()
    assert db.exec(select(Notification)).one().status == "cancelled"
    assert db.get(Contribution, proposal.id) is not None


def test_held_messages_are_released_by_the_periodic_send(
    smtp_app, smtp_server, runner, db, consultation, create_contribution
):
    from consult.notifications import services

    _controller, inbox = smtp_server
    phase = _phase(db, consultation, allows_proposals=True)
    proposal = create_contribution(text="Più alloggi sociali nei comuni di montagna.")
    db.add(Follow(email="segue@example.org", kind="proposal", target_id=proposal.id,
                  confirmed_at=proposal.created_at))  # fmt: skip
    db.commit()
    services.answer_published(
        db, response_id=7, consultation_id=consultation.id, status="accolta", text=ANSWER,
        contributions=[proposal], objective_ids=[],
    )  # fmt: skip
    db.commit()
    runner.invoke(args=["notifications", "send"])
    assert inbox.to("segue@example.org") == []  # still private: held
    phase.publishes_answers = True
    db.add(phase)
    db.commit()
    assert "sent 1" in runner.invoke(args=["notifications", "send"]).output
    assert len(inbox.to("segue@example.org")) == 1
