"""The phone in the room: consent once per session, the feed, supports and priorities ballots."""

import csv
import io
import json
import re

import pytest
from sqlmodel import func, select

from consult.live.models import LivePhone, PriorityBallot, PriorityRound
from consult.meetings.models import MeetingFacilitator, WorkingGroup
from consult.proposals.models import Contribution, Support
from tests.consultation_client import HERE

TEXT = "Servono più educatori di strada nei quartieri periferici."


def _key(page: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)


def _send(phone, code, text=TEXT, **extra):
    page = phone.get(f"/live/{code}").get_data(as_text=True)
    data = {"text": text, "territory": "1", "idempotency_key": _key(page), **extra}
    return phone.post(f"/live/{code}", data=data)


def _count(db, table) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def room(db, create_live_session, create_contribution):
    live = create_live_session(code="FED234")

    def approved(text, **fields):
        return create_contribution(
            text=text,
            live_session_id=live.id,
            meeting_id=live.meeting_id,
            channel="live",
            status="published",
            **fields,
        )

    return live, approved


@pytest.fixture
def staffed(db, auth, client, room, create_user):
    live, approved = room
    facilitator = create_user(role="facilitator")
    db.add(MeetingFacilitator(meeting_id=live.meeting_id, user_id=facilitator.id))
    db.commit()
    auth.login(facilitator.email)
    return live, approved


# 1. consent once per phone and session


def test_consent_is_asked_once_per_phone_and_session(app, db, create_live_session):
    live = create_live_session(code="CNS234")
    phone = app.test_client()
    assert "Acconsento alla pubblicazione" in phone.get(f"/live/{live.code}").get_data(as_text=True)
    refused = _send(phone, live.code)
    assert refused.status_code == 422 and "Serve il consenso" in refused.get_data(as_text=True)
    assert _send(phone, live.code, consent="y").status_code == 303
    page = phone.get(f"/live/{live.code}").get_data(as_text=True)
    assert "Acconsento alla pubblicazione" not in page
    assert "Hai già dato il consenso" in page
    assert _send(phone, live.code, text=TEXT + " Anche il sabato.").status_code == 303
    assert _count(db, Contribution) == 2
    neighbour = app.test_client()  # another phone is asked for its own consent
    assert "Acconsento" in neighbour.get(f"/live/{live.code}").get_data(as_text=True)
    stored = db.exec(select(LivePhone)).all()
    assert len(stored) == 1 and stored[0].consented_at is not None
    assert len(stored[0].phone_hash) == 64  # a hash, never the cookie's token


def test_consent_in_one_session_is_not_consent_in_another(app, db, create_live_session):
    first, second = create_live_session(code="ONE234"), create_live_session(code="TWO234")
    phone = app.test_client()
    phone.get(f"/live/{first.code}")
    assert _send(phone, first.code, consent="y").status_code == 303
    assert "Acconsento" in phone.get(f"/live/{second.code}").get_data(as_text=True)


# 3. the feed and supports


def test_the_feed_shows_approved_proposals_with_sse_and_a_refresh_link(client, room):
    live, approved = room
    approved("Più panchine e ombra nei giardini pubblici.")
    page = client.get(f"/live/{live.code}").get_data(as_text=True)
    assert "Più panchine e ombra" in page
    assert f'sse-connect="{HERE}/live/{live.code}/bacheca/eventi?ordine=sostegno"' in page
    assert 'sse-swap="feed"' in page and "Aggiorna l'elenco" in page


def test_a_phone_supports_once_and_a_double_tap_is_safe(app, db, room):
    live, approved = room
    item = approved("Un bus notturno per i paesi delle valli.")
    phone = app.test_client()
    phone.get(f"/live/{live.code}")
    url = f"/live/{live.code}/proposte/{item.id}/sostieni"
    first = phone.post(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and "Grazie: hai sostenuto" in first.get_data(as_text=True)
    assert "Hai sostenuto questa proposta" not in first.get_data(as_text=True)  # said once
    again = phone.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 200 and "Sostieni già" in again.get_data(as_text=True)
    assert phone.post(url).status_code == 303  # without JavaScript: back to the feed
    assert _count(db, Support) == 1
    other = app.test_client()
    other.get(f"/live/{live.code}")
    other.post(url)
    assert _count(db, Support) == 2
    assert "2 sostegni" in other.get(f"/live/{live.code}").get_data(as_text=True)


def test_a_streamed_support_button_sends_the_token_in_htmxs_header(csrf_app, db, room):
    """Items that arrive on the feed stream carry no CSRF field: htmx sends the page's token
    in X-CSRFToken (hx-headers on the body), which is accepted; without it nothing is stored."""
    live, approved = room
    item = approved("Un bus notturno per i paesi delle valli.")
    phone = csrf_app.test_client()
    page = phone.get(f"/live/{live.code}").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    url = f"/live/{live.code}/proposte/{item.id}/sostieni"
    refused = phone.post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and _count(db, Support) == 0
    sent = phone.post(url, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert sent.status_code == 200 and "Grazie: hai sostenuto" in sent.get_data(as_text=True)
    assert _count(db, Support) == 1


def test_a_forged_phone_cookie_cannot_support(app, db, room):
    live, approved = room
    item = approved("Un bus notturno per i paesi delle valli.")
    phone = app.test_client()
    phone.set_cookie("live_join", "forged-phone.signature")
    response = phone.post(f"/live/{live.code}/proposte/{item.id}/sostieni")
    assert response.status_code == 303 and _count(db, Support) == 0
    follow = phone.get(response.headers["Location"]).get_data(as_text=True)
    assert "Non riconosciamo questo telefono" in follow
    htmx = app.test_client()
    htmx.set_cookie("live_join", "forged-phone.signature")
    url = f"/live/{live.code}/proposte/{item.id}/sostieni"
    refused = htmx.post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 403 and "Non riconosciamo" in refused.get_data(as_text=True)
    assert _count(db, Support) == 0


def test_pending_and_other_sessions_proposals_cannot_be_supported(
    app, db, room, create_contribution
):
    live, _approved = room
    pending = create_contribution(
        text="In attesa di moderazione, ancora.", live_session_id=live.id, status="pending"
    )
    elsewhere = create_contribution(text="Una proposta pubblicata online.", status="published")
    phone = app.test_client()
    phone.get(f"/live/{live.code}")
    for item in (pending, elsewhere):
        assert phone.post(f"/live/{live.code}/proposte/{item.id}/sostieni").status_code == 404
    assert _count(db, Support) == 0


def test_the_feed_sorts_by_support_or_newest_and_filters_by_group(app, db, room):
    live, approved = room
    group = WorkingGroup(live_session_id=live.id, name="Gruppo casa")
    db.add(group)
    db.commit()
    old = approved("La proposta più vecchia ma più sostenuta.", working_group_id=group.id)
    approved("La proposta più recente senza sostegni.")
    phone = app.test_client()
    phone.get(f"/live/{live.code}")
    phone.post(f"/live/{live.code}/proposte/{old.id}/sostieni")
    by_support = phone.get(f"/live/{live.code}?ordine=sostegno").get_data(as_text=True)
    assert by_support.index("più vecchia") < by_support.index("più recente")
    newest = phone.get(f"/live/{live.code}?ordine=recenti").get_data(as_text=True)
    assert newest.index("più recente") < newest.index("più vecchia")
    grouped = phone.get(f"/live/{live.code}?gruppo={group.id}").get_data(as_text=True)
    assert "più vecchia" in grouped and "più recente" not in grouped


def test_the_facilitator_turns_feed_and_supports_off(app, db, client, staffed):
    live, approved = staffed
    item = approved("Un bus notturno per i paesi delle valli.")
    switches = f"/facilitatore/sessioni/{live.id}/telefoni"
    assert client.post(switches, data={"feed": "1"}).status_code == 303
    phone = app.test_client()
    page = phone.get(f"/live/{live.code}").get_data(as_text=True)
    assert "Un bus notturno" in page and "Sostieni</button>" not in page
    refused = phone.post(
        f"/live/{live.code}/proposte/{item.id}/sostieni", headers={"HX-Request": "1"}
    )
    assert refused.status_code == 409 and _count(db, Support) == 0
    client.post(switches, data={})
    assert "Un bus notturno" not in phone.get(f"/live/{live.code}").get_data(as_text=True)
    assert phone.get(f"/live/{live.code}/bacheca/eventi").status_code == 404


# 4. priorities rounds


def _open_round(client, live, **form):
    return client.post(f"/facilitatore/sessioni/{live.id}/priorita", data=form)


def _phone(app, live):
    phone = app.test_client()
    phone.get(f"/live/{live.code}")
    return phone


def test_a_points_round_from_opening_to_frozen_export(app, db, client, staffed):
    live, approved = staffed
    a = approved("Prima proposta: più asili nido comunali.")
    b = approved("Seconda proposta: trasporto a chiamata.")
    assert _open_round(client, live, method="points", points="5").status_code == 303
    round_ = db.exec(select(PriorityRound)).one()
    url = f"/live/{live.code}/priorita/{round_.id}"
    first, second = _phone(app, live), _phone(app, live)
    assert f'href="{HERE}{url}"' in first.get(f"/live/{live.code}").get_data(as_text=True)
    assert first.post(url, data={f"punti-{a.id}": "3", f"punti-{b.id}": "2"}).status_code == 303
    assert first.post(url, data={f"punti-{a.id}": "5"}).status_code == 303  # changed its mind
    assert second.post(url, data={f"punti-{b.id}": "4"}).status_code == 303
    assert _count(db, PriorityBallot) == 2
    over = second.post(url, data={f"punti-{a.id}": "4", f"punti-{b.id}": "2"})
    assert over.status_code == 422
    assert "più punti di quelli disponibili" in over.get_data(as_text=True)
    assert 'value="4"' in over.get_data(as_text=True)  # what was typed is kept
    staff = client.get(f"/facilitatore/sessioni/{live.id}").get_data(as_text=True)
    assert "Hanno votato 2 telefoni" in staff
    assert (
        client.post(f"/facilitatore/sessioni/{live.id}/priorita/{round_.id}/chiudi").status_code
        == 303
    )
    late = first.post(url, data={f"punti-{b.id}": "1"})
    assert late.status_code == 409 and "è chiuso" in late.get_data(as_text=True)
    db.refresh(round_)
    assert round_.status == "closed" and round_.result["voters"] == 2
    # frozen: a proposal rejected afterwards does not change the stored result
    a.status = "rejected"
    db.add(a)
    db.commit()
    export = f"/facilitatore/sessioni/{live.id}/priorita/{round_.id}/risultato"
    body = client.get(export + ".csv").data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["posizione", "id_proposta", "proposta", "punti", "telefoni"]
    assert rows[1][1:] == [str(a.id), a.text, "5", "1"]  # the frozen text, ranked first
    points = {int(r[1]): int(r[3]) for r in rows[1:]}
    assert points == {a.id: 5, b.id: 4}
    document = json.loads(client.get(export + ".json").data)
    assert document["phones_voted"] == 2 and document["results"][0]["id_proposta"] == a.id
    assert client.get(export + ".xlsx").data.startswith(b"PK")


def test_a_top3_round_refuses_the_same_pick_twice(app, db, client, staffed):
    live, approved = staffed
    items = [approved(f"Proposta numero {n} per la priorità.") for n in range(4)]
    _open_round(client, live, method="top3")
    round_ = db.exec(select(PriorityRound)).one()
    url = f"/live/{live.code}/priorita/{round_.id}"
    phone = _phone(app, live)
    twice = phone.post(url, data={"scelta-1": items[0].id, "scelta-2": items[0].id})
    assert twice.status_code == 422 and "stessa proposta" in twice.get_data(as_text=True)
    gap = phone.post(url, data={"scelta-1": items[0].id, "scelta-3": items[1].id})
    assert gap.status_code == 422
    ok = {"scelta-1": items[2].id, "scelta-2": items[0].id, "scelta-3": items[1].id}
    assert phone.post(url, data=ok).status_code == 303
    ballot = db.exec(select(PriorityBallot)).one()
    assert ballot.allocations == {str(items[2].id): 3, str(items[0].id): 2, str(items[1].id): 1}


def test_a_ballot_from_a_forged_phone_or_for_unknown_proposals_is_refused(
    app, db, client, staffed, create_contribution
):
    live, approved = staffed
    approved("Una proposta approvata della sala.")
    elsewhere = create_contribution(text="Una proposta di un'altra sessione.", status="published")
    _open_round(client, live, method="points", points="10")
    round_ = db.exec(select(PriorityRound)).one()
    url = f"/live/{live.code}/priorita/{round_.id}"
    forged = app.test_client()
    forged.set_cookie("live_join", "not-a-signed-phone")
    assert forged.post(url, data={f"punti-{elsewhere.id}": "1"}).status_code == 422
    phone = _phone(app, live)
    unknown = phone.post(url, data={f"punti-{elsewhere.id}": "1"})
    assert unknown.status_code == 422 and "solo le proposte approvate" in unknown.get_data(
        as_text=True
    )
    assert phone.post(url, data={f"punti-{elsewhere.id}": "-2"}).status_code == 422
    assert phone.post(url, data={}).status_code == 422
    assert _count(db, PriorityBallot) == 0


def test_one_open_round_per_scope_and_group_rounds_rank_their_group(app, db, client, staffed):
    live, approved = staffed
    group = WorkingGroup(live_session_id=live.id, name="Gruppo lavoro")
    db.add(group)
    db.commit()
    mine = approved("Proposta del gruppo lavoro.", working_group_id=group.id)
    approved("Proposta della plenaria, senza gruppo.")
    assert _open_round(client, live, method="points", points="3").status_code == 303
    again = _open_round(client, live, method="points", points="3")
    assert again.status_code == 422 and "già un turno aperto" in again.get_data(as_text=True)
    assert _open_round(client, live, method="points", points="3", group=group.id).status_code == 303
    assert _open_round(client, live, method="points", points="0", group="").status_code == 422
    assert _open_round(client, live, method="voto", group=group.id).status_code == 422
    group_round = db.exec(
        select(PriorityRound).where(PriorityRound.working_group_id == group.id)
    ).one()
    page = (
        _phone(app, live).get(f"/live/{live.code}/priorita/{group_round.id}").get_data(as_text=True)
    )
    assert "Proposta del gruppo lavoro" in page and "della plenaria" not in page
    assert f"punti-{mine.id}" in page


def test_an_open_round_has_no_export_yet(client, db, staffed):
    live, _approved = staffed
    _open_round(client, live, method="points", points="3")
    round_ = db.exec(select(PriorityRound)).one()
    url = f"/facilitatore/sessioni/{live.id}/priorita/{round_.id}/risultato.csv"
    assert client.get(url).status_code == 404


@pytest.mark.rate_limited
def test_a_whole_room_behind_one_address_can_support_but_one_phone_is_capped(app, db, room):
    """60 phones share one NAT address: each gets its support in; one phone tapping past its
    own cap is refused without stopping its neighbours."""
    live, approved = room
    items = [approved(f"Proposta numero {n} da sostenere in sala.") for n in range(3)]
    app.config["LIVE_TAP_RATE_LIMIT"] = "5 per minute"
    phones = [app.test_client() for _ in range(60)]
    for phone in phones:
        phone.get(f"/live/{live.code}")
        response = phone.post(f"/live/{live.code}/proposte/{items[0].id}/sostieni")
        assert response.status_code == 303
    assert _count(db, Support) == 60
    busy = phones[0]
    statuses = [
        busy.post(f"/live/{live.code}/proposte/{items[n % 3].id}/sostieni").status_code
        for n in range(6)
    ]
    assert statuses[:4] == [303] * 4 and statuses[-1] == 429
    assert phones[1].post(f"/live/{live.code}/proposte/{items[1].id}/sostieni").status_code == 303
