"""The moderation desk: online proposals held by premoderation, items hidden by reports, the
decisions on them (one by one and in bulk), who sees which items, the count in the menu."""

from sqlmodel import select

from consult.common.models import AuditLog
from consult.notifications.models import Notification
from consult.proposals.models import AbuseReport, Contribution
from tests.web.engagement_world import comment_hidden_by_accounts, logged_in
from tests.web.test_proposal_form import form_data

DESK = "/moderazione"


def _decide(browser, keys: list[str], action: str, reason: str = ""):
    return browser.post(
        DESK, data={"voce": keys, "azione": action, "motivo": reason}, follow_redirects=True
    )


def _hidden_by_three_accounts(app, db, create_user, contribution) -> Contribution:
    for _ in range(3):
        logged_in(app, create_user).post(
            f"/proposte/{contribution.id}/segnala", data={"reason": "spam"}
        )
    db.refresh(contribution)
    return contribution


def test_a_premoderated_online_proposal_is_published_from_the_desk(
    app, client, db, consultation, create_user
):
    app.config["ONLINE_PREMODERATION"] = True
    client.post("/proposte/nuova", data=form_data(email="autrice@example.org"))
    contribution = db.exec(select(Contribution)).one()
    assert contribution.status == "pending"
    moderator = logged_in(app, create_user, "moderator")
    page = moderator.get(DESK).get_data(as_text=True)
    assert "Servono più educatori nei centri diurni" in page
    assert f'value="proposta-{contribution.id}"' in page
    menu = moderator.get("/").get_data(as_text=True)
    assert 'href="/c/piemonte-2018/moderazione">Moderazione <span class="badge bg-danger"' in menu

    page = _decide(moderator, [f"proposta-{contribution.id}"], "approve").get_data(as_text=True)
    assert "1 contenuto deciso." in page and "Nessuna proposta in attesa." in page
    db.refresh(contribution)
    assert contribution.status == "published" and contribution.published_at is not None
    assert client.get(f"/proposte/{contribution.id}").status_code == 200
    assert "moderation.approve" in db.exec(select(AuditLog.action)).all()
    kinds = db.exec(select(Notification.kind).where(Notification.email == "autrice@example.org"))
    assert "approved" in kinds.all()
    assert "Moderazione</a>" in moderator.get("/").get_data(as_text=True)  # no count left


def test_a_rejection_needs_a_reason_and_tells_the_author(
    app, client, db, consultation, create_user
):
    app.config["ONLINE_PREMODERATION"] = True
    client.post("/proposte/nuova", data=form_data(email="autore@example.org"))
    contribution = db.exec(select(Contribution)).one()
    admin = logged_in(app, create_user, "admin")
    response = _decide(admin, [f"proposta-{contribution.id}"], "reject")
    assert response.status_code == 422
    assert "Indica il motivo del rifiuto" in response.get_data(as_text=True)
    db.refresh(contribution)
    assert contribution.status == "pending"
    _decide(admin, [f"proposta-{contribution.id}"], "reject", "Contiene dati personali di terzi.")
    db.refresh(contribution)
    assert contribution.status == "rejected"
    assert contribution.rejection_reason == "Contiene dati personali di terzi."
    row = db.exec(select(Notification).where(Notification.kind == "rejected")).one()
    assert row.email == "autore@example.org"
    assert row.payload["reason"] == "Contiene dati personali di terzi."


def test_a_proposal_hidden_by_three_reports_is_restored_from_the_desk(
    app, client, db, create_user, create_contribution
):
    contribution = create_contribution(
        text="Una proposta segnalata ingiustamente.", author_email="chi@example.org"
    )
    assert _hidden_by_three_accounts(app, db, create_user, contribution).status == "hidden"
    moderator = logged_in(app, create_user, "moderator")
    page = moderator.get(DESK).get_data(as_text=True)
    hidden_section = page.split('id="hidden"')[1].split('id="storico"')[0]
    assert "Una proposta segnalata ingiustamente." in hidden_section
    assert "3 segnalazioni" in hidden_section and "3 da utenti registrati" in hidden_section
    assert "nascosta dalle segnalazioni" in page  # the automatic step is in the history

    _decide(moderator, [f"proposta-{contribution.id}"], "restore")
    db.refresh(contribution)
    assert contribution.status == "published"
    assert client.get(f"/proposte/{contribution.id}").status_code == 200
    assert set(db.exec(select(AbuseReport.resolution)).all()) == {"kept"}
    restored = db.exec(select(Notification).where(Notification.kind == "restored")).one()
    assert restored.email == "chi@example.org"
    assert "Nessun contenuto nascosto." in moderator.get(DESK).get_data(as_text=True)


def test_a_hidden_proposal_is_confirmed_hidden_and_can_be_restored_later(
    app, client, db, create_user, create_contribution
):
    contribution = _hidden_by_three_accounts(app, db, create_user, create_contribution())
    moderator = logged_in(app, create_user, "moderator")
    _decide(moderator, [f"proposta-{contribution.id}"], "hide")
    db.refresh(contribution)
    assert contribution.status == "hidden"
    assert set(db.exec(select(AbuseReport.resolution)).all()) == {"hidden"}
    assert "contribution.reports-hidden" in db.exec(select(AuditLog.action)).all()
    page = moderator.get(DESK).get_data(as_text=True)
    assert f'id="proposta-{contribution.id}"' in page.split('id="hidden"')[1]  # still restorable
    _decide(moderator, [f"proposta-{contribution.id}"], "restore")
    db.refresh(contribution)
    assert contribution.status == "published"


def test_bulk_decisions_skip_what_does_not_apply(
    app, db, consultation, create_user, create_contribution
):
    pending = [create_contribution(status="pending") for _ in range(2)]
    published = create_contribution()
    comment = comment_hidden_by_accounts(app, db, create_user, published, "Un commento civile.")
    admin = logged_in(app, create_user, "admin")
    keys = [f"proposta-{c.id}" for c in pending] + [f"commento-{comment.id}"]
    page = _decide(admin, keys, "approve").get_data(as_text=True)
    assert "2 contenuti decisi." in page and "1 contenuto saltato" in page
    for item in pending:
        db.refresh(item)
    assert {item.status for item in pending} == {"published"}
    page = _decide(admin, [f"commento-{comment.id}"], "restore").get_data(as_text=True)
    db.refresh(comment)
    assert comment.status == "published"


def test_a_facilitator_sees_only_the_items_of_their_meetings(
    app, db, create_user, create_contribution, create_meeting
):
    facilitator = create_user(role="facilitator")
    mine = create_meeting(title="Il mio incontro", facilitators=[facilitator])
    other = create_meeting(title="Un altro incontro")
    own_item = create_contribution(text="Detta nel mio incontro.", meeting_id=mine.id)
    other_item = create_contribution(text="Detta in un altro incontro.", meeting_id=other.id)
    online = create_contribution(text="Arrivata online, senza incontro.", status="pending")
    for item in (own_item, other_item):
        _hidden_by_three_accounts(app, db, create_user, item)
    browser = app.test_client()
    browser.post(
        "/account/accedi", data={"email": facilitator.email, "password": "secret-password"}
    )
    page = browser.get(DESK).get_data(as_text=True)
    assert "Detta nel mio incontro." in page
    assert "Detta in un altro incontro." not in page and "Arrivata online" not in page
    for item in (other_item, online):
        assert (
            browser.post(
                DESK, data={"voce": f"proposta-{item.id}", "azione": "restore"}
            ).status_code
            == 404
        )
    db.refresh(other_item)
    assert other_item.status == "hidden"
    _decide(browser, [f"proposta-{own_item.id}"], "restore")
    db.refresh(own_item)
    assert own_item.status == "published"


def test_bad_input_gets_a_clear_answer_and_changes_nothing(
    app, db, create_user, create_contribution
):
    contribution = create_contribution(status="pending")
    moderator = logged_in(app, create_user, "moderator")
    response = _decide(moderator, [f"proposta-{contribution.id}"], "cancella")
    assert response.status_code == 422
    assert "approva, rifiuta, ripristina o conferma" in response.get_data(as_text=True)
    assert _decide(moderator, [], "approve").status_code == 422
    assert moderator.post(DESK, data={"voce": "altro-1", "azione": "approve"}).status_code == 404
    assert (
        moderator.post(DESK, data={"voce": "proposta-999999", "azione": "approve"}).status_code
        == 404
    )
    db.refresh(contribution)
    assert contribution.status == "pending"


def test_live_session_proposals_stay_in_their_session_queue(
    app, db, create_user, create_contribution, create_meeting
):
    from consult.meetings.models import LiveSession

    meeting = create_meeting()
    live = LiveSession(meeting_id=meeting.id, code="ABCDEF")
    db.add(live)
    db.commit()
    item = create_contribution(
        text="Dal telefono in sala.", status="pending", live_session_id=live.id
    )
    moderator = logged_in(app, create_user, "moderator")
    assert "Dal telefono in sala." not in moderator.get(DESK).get_data(as_text=True)
    assert _decide(moderator, [f"proposta-{item.id}"], "approve").status_code == 422
    db.refresh(item)
    assert item.status == "pending"


def test_the_old_reports_address_leads_to_the_desk(client):
    response = client.get("/facilitatore/segnalazioni")
    assert response.status_code == 301 and response.headers["Location"].endswith(DESK)
