"""The links of every e-mail about a consultation's page point under that consultation's own
``/c/<slug>/`` prefix, not the default one's, though they are built outside any request: the
receipt, a moderator's decision, an answer, the daily digest (against the real SMTP server)."""

import re

import pytest
from sqlmodel import select

from consult import db as app_db
from consult.common.models import utcnow
from consult.framework.models import Consultation, Framework, Objective, Territory
from consult.live import moderation
from consult.notifications import services
from consult.notifications.models import Follow, Notification
from consult.proposals.models import Contribution
from tests.web.route_world import log_in

BASE = "https://partecipa.example.it"
EMAIL = "autrice@example.org"
OTHER = "lavoro-2026"


@pytest.fixture
def other(db, consultation):
    framework = Framework(code="lavoro", title="Strategia per il lavoro")
    db.add(framework)
    db.flush()
    db.add(Objective(framework_id=framework.id, code="tirocini", kind="sectoral", title="Tirocini"))
    # its own "torino": territories belong to their framework
    db.add(Territory(framework_id=framework.id, code="torino", name="Torino", kind="province"))
    second = Consultation(slug=OTHER, title="Consultazione sul lavoro", framework_id=framework.id)
    db.add(second)
    db.commit()
    return second


def _links(message) -> list[str]:
    return re.findall(re.escape(BASE) + r"\S+", message.get_content())


def _submit(client) -> Contribution:
    data = {
        "text": "Più tirocini retribuiti per chi cerca il primo lavoro.",
        "title": "Tirocini retribuiti",
        "territory": "torino",
        "role": "cittadino",
        "email": EMAIL,
        "consent": "y",
        "notify": "y",
        "idempotency_key": "w" * 32,
    }
    response = client.post(f"/c/{OTHER}/proposte/nuova", data=data)
    assert response.status_code == 303
    return response


def test_mails_about_a_second_consultation_link_under_its_prefix(
    smtp_app, smtp_server, client, db, other, create_user
):
    _controller, inbox = smtp_server
    smtp_app.config["ONLINE_PREMODERATION"] = True
    _submit(client)
    contribution = db.exec(select(Contribution)).one()
    assert contribution.consultation_id == other.id
    (receipt,) = inbox.to(EMAIL)
    tracking = f"{BASE}/c/{OTHER}/traccia/{contribution.tracking_token}"
    assert tracking in _links(receipt)
    assert all("/c/piemonte-2018/" not in link for link in _links(receipt))

    planner = create_user(role="planner")
    with smtp_app.app_context(), app_db.standalone_session() as session:
        moderation.approve(
            session, session.get(Contribution, contribution.id), actor_id=planner.id,
            classify=False,
        )  # fmt: skip
    approved = inbox.to(EMAIL)[1]
    assert f"{BASE}/c/{OTHER}/proposte/{contribution.id}" in _links(approved)
    assert tracking in _links(approved)
    # the site-wide links stay outside any prefix
    assert any(link.startswith(f"{BASE}/notifiche/") for link in _links(approved))

    log_in(client, planner)
    created = client.post(
        f"/c/{OTHER}/pianificazione/risposte/nuova",
        data={"contribution": contribution.id, "status": "accolta", "text": "La finanziamo."},
    )
    response_id = int(created.headers["Location"].rstrip("/").split("/")[-2])
    client.post(f"/c/{OTHER}/pianificazione/risposte/{response_id}/pubblica")
    answered = inbox.to(EMAIL)[2]
    assert "La finanziamo." in answered.get_content()
    assert tracking in _links(answered)
    assert all("/c/piemonte-2018/" not in link for link in _links(answered))
    # and the link works: it opens the tracking page in its own consultation
    assert client.get(tracking.removeprefix(BASE)).status_code == 200


def test_the_digest_links_each_item_under_its_consultation(
    smtp_app, smtp_server, runner, db, other
):
    _controller, inbox = smtp_server
    proposal = Contribution(
        consultation_id=other.id, text="Più tirocini retribuiti.", title="Tirocini",
        status="published", tracking_token="d" * 43,
    )  # fmt: skip
    db.add(proposal)
    db.commit()
    db.add(Follow(email="segue@example.org", kind="proposal", target_id=proposal.id,
                  frequency="daily", confirmed_at=utcnow()))  # fmt: skip
    db.commit()
    services.status_changed(db, proposal, "restored")  # no follow of the author: nobody
    services.answer_published(
        db, response_id=3, consultation_id=other.id, status="accolta", text="Li finanziamo.",
        contributions=[proposal], objective_ids=[],
    )  # fmt: skip
    db.commit()
    assert "digests 1, sent 1" in runner.invoke(args=["notifications", "digest"]).output
    (digest,) = inbox.to("segue@example.org")
    assert f"{BASE}/c/{OTHER}/proposte/{proposal.id}" in _links(digest)


def test_a_row_queued_before_payloads_named_the_consultation_finds_it(db, other):
    proposal = Contribution(consultation_id=other.id, text="Tirocini.", tracking_token="e" * 43)
    db.add(proposal)
    db.commit()
    assert services.consultation_slug(db, {"contribution_id": proposal.id}) == OTHER
    assert services.consultation_slug(db, {"consultation_id": other.id}) == OTHER
    assert services.consultation_slug(db, {}) is None
    assert db.exec(select(Notification)).all() == []
