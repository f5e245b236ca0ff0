"""Phones join by code, send proposals without an account, and get a clear answer."""

import re

import pytest
from sqlmodel import select

from consult.live import events as live_events
from consult.live import runtime as live_runtime
from consult.live.feed_views import QUIET_EVENTS
from consult.meetings.models import WorkingGroup
from consult.proposals.models import Contribution
from tests.consultation_client import HERE

TEXT = "Servono più educatori di strada nei quartieri periferici."


def _form(client, code):
    page = client.get(f"/live/{code}").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    return page, key


def _submit(client, code, key, **overrides):
    data = {"text": TEXT, "territory": "1", "consent": "y", "idempotency_key": key}
    data.update(overrides)
    return client.post(f"/live/{code}", data=data)


def test_join_by_code_is_case_insensitive_and_redirects_to_the_form(client, create_live_session):
    create_live_session(code="ABC234")
    response = client.post("/live", data={"code": " abc234 "})
    assert response.status_code == 303 and response.headers["Location"].endswith("/live/ABC234")
    assert client.get("/live/abc234").status_code == 301


def test_a_wrong_code_says_so_in_italian(client, consultation):
    response = client.post("/live", data={"code": "ZZZZZZ"})
    assert response.status_code == 422
    assert "Nessuna sessione con questo codice" in response.get_data(as_text=True)
    assert client.get("/live/ZZZZZZ").status_code == 404


def test_a_phone_submits_a_pending_live_proposal(client, db, create_live_session):
    live = create_live_session()
    page, key = _form(client, live.code)
    assert "La tua proposta" in page
    response = _submit(client, live.code, key, participant_role="terzo-settore")
    assert response.status_code == 303
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "comparirà sullo schermo dopo l'approvazione" in follow
    stored = db.exec(select(Contribution)).one()
    assert (stored.channel, stored.status, stored.text) == ("live", "pending", TEXT)
    assert stored.participant_role == "terzo-settore"
    assert stored.live_session_id == live.id and stored.meeting_id == live.meeting_id


def test_the_live_receipt_gives_the_tracking_link_and_the_way_back(client, db, create_live_session):
    live = create_live_session()
    _page, key = _form(client, live.code)
    response = _submit(client, live.code, key)
    stored = db.exec(select(Contribution)).one()
    assert response.headers["Location"].endswith(f"/traccia/{stored.tracking_token}/ricevuta")
    receipt = client.get(response.headers["Location"])
    page = receipt.get_data(as_text=True)
    assert f"/traccia/{stored.tracking_token}" in page
    assert f'href="{HERE}/live/{live.code}"' in page and "Invia un'altra proposta in sala" in page
    assert receipt.headers["Referrer-Policy"] == "no-referrer"


def test_the_receipt_of_a_post_moderated_session_says_it_is_on_screen(
    client, db, create_live_session
):
    live = create_live_session(moderation="post")
    _page, key = _form(client, live.code)
    page = client.get(_submit(client, live.code, key).headers["Location"]).get_data(as_text=True)
    assert "compare sullo schermo in sala" in page


@pytest.mark.parametrize(("moderation", "kind"), [("pre", "submitted"), ("post", "published")])
def test_a_proposal_published_at_once_reaches_the_phones_feeds(
    app, client, create_live_session, moderation, kind
):
    """Feeds ignore proposals waiting for approval; one published at once is not one of them."""
    live = create_live_session(moderation=moderation, feed_enabled=True)
    channel = live_events.session_channel(live.id)
    with app.app_context():
        feed = live_runtime.broker().subscribe(channel, ignore=QUIET_EVENTS)
        queue = live_runtime.broker().subscribe(channel)
    _page, key = _form(client, live.code)
    assert _submit(client, live.code, key).status_code == 303
    assert queue.get(timeout=1)["type"] == kind
    reached = feed.get(timeout=0.1)
    assert (reached is not None) == (moderation == "post")


def test_no_way_back_to_a_closed_session_from_the_receipt(client, db, create_live_session):
    live = create_live_session()
    _page, key = _form(client, live.code)
    location = _submit(client, live.code, key).headers["Location"]
    live.status = "closed"
    db.add(live)
    db.commit()
    page = client.get(location).get_data(as_text=True)
    assert f'href="/live/{live.code}"' not in page
    assert "/traccia/" in page


def test_a_double_tap_stores_one_row(client, db, create_live_session):
    live = create_live_session()
    _page, key = _form(client, live.code)
    assert _submit(client, live.code, key).status_code == 303
    assert _submit(client, live.code, key).status_code == 303
    assert len(db.exec(select(Contribution)).all()) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "corta"}, "La proposta è troppo corta: almeno 10 caratteri."),
        ({"text": "x" * 2001}, "La proposta è troppo lunga: al massimo 2000 caratteri."),
        ({"text": "!!!!!!!!!!!! ????"}, "non solo simboli o emoji"),
        ({"consent": ""}, "Serve il consenso"),
    ],
)
def test_invalid_proposals_are_refused_with_the_text_kept(
    client, db, create_live_session, overrides, message
):
    live = create_live_session()
    _page, key = _form(client, live.code)
    response = _submit(client, live.code, key, **overrides)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if "text" in overrides:
        assert overrides["text"][:50] in page
    assert db.exec(select(Contribution)).all() == []


def test_working_groups_appear_and_are_stored(client, db, create_live_session):
    live = create_live_session()
    group = WorkingGroup(live_session_id=live.id, name="Asse 4 · Abitare", axis_number=4)
    db.add(group)
    db.commit()
    page, key = _form(client, live.code)
    assert "Asse 4 · Abitare" in page
    assert _submit(client, live.code, key, working_group=str(group.id)).status_code == 303
    assert db.exec(select(Contribution)).one().working_group_id == group.id


def test_a_closed_session_answers_politely_and_stores_nothing(client, db, create_live_session):
    live = create_live_session(status="closed")
    response = client.get(f"/live/{live.code}")
    assert response.status_code == 410
    assert "è chiusa" in response.get_data(as_text=True)
    post = _submit(client, live.code, "k" * 24)
    assert post.status_code == 410
    assert db.exec(select(Contribution)).all() == []


def test_the_live_form_needs_a_csrf_token(csrf_app, db, create_live_session):
    client = csrf_app.test_client()
    live = create_live_session()
    assert _submit(client, live.code, "k" * 24).status_code == 400
    page, key = _form(client, live.code)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert _submit(client, live.code, key, csrf_token=token).status_code == 303
    assert len(db.exec(select(Contribution)).all()) == 1


@pytest.mark.rate_limited
def test_each_phone_is_rate_limited_but_not_the_whole_room(app, db, create_live_session):
    live = create_live_session()
    app.config["LIVE_PHONE_RATE_LIMIT"] = "3 per minute"
    phone, neighbour = app.test_client(), app.test_client()
    statuses = []
    for _ in range(4):
        _page, key = _form(phone, live.code)
        statuses.append(_submit(phone, live.code, key).status_code)
    assert statuses == [303, 303, 303, 429]
    _page, key = _form(neighbour, live.code)
    assert _submit(neighbour, live.code, key).status_code == 303
    assert len(db.exec(select(Contribution)).all()) == 4


def test_qr_codes_point_to_the_absolute_join_address(client, create_live_session):
    live = create_live_session(code="QRC234")
    svg = client.get(f"/live/{live.code}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert f"http://localhost{HERE}/live/QRC234" in svg.get_data(as_text=True)
    png = client.get(f"/live/{live.code}/qr.png?scarica=1")
    assert png.data.startswith(b"\x89PNG")
    assert "attachment" in png.headers["Content-Disposition"]
    assert client.get("/live/NOPE99/qr.svg").status_code == 404


def test_the_live_form_refuses_symbols_with_the_online_forms_message(
    client, db, create_live_session
):
    """One text rule: the phone in the room and the online form say the same thing."""
    live = create_live_session()
    _page, key = _form(client, live.code)
    live_page = _submit(client, live.code, key, text="!!!!!!!!!!!! ????").get_data(as_text=True)
    online = client.get("/proposte/nuova").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', online)
    online_page = client.post(
        "/proposte/nuova",
        data={"text": "!!!!!!!!!!!! ????", "csrf_token": token.group(1) if token else ""},
    ).get_data(as_text=True)
    message = "Scrivi la proposta con delle parole, non solo simboli o emoji."
    assert message in live_page and message in online_page
    assert db.exec(select(Contribution)).all() == []
