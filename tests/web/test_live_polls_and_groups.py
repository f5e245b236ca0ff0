"""Quick polls, the projector's modes and working groups with their own views."""

import csv
import io
import json
from pathlib import Path

import pytest
from sqlmodel import func, select

from consult.live.models import LivePoll, PollAnswer
from consult.meetings.models import MeetingFacilitator, WorkingGroup
from tests.consultation_client import HERE


def _count(db, table) -> int:
    return db.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def staffed(db, auth, client, create_user, create_live_session, create_contribution):
    live = create_live_session(code="POL234")
    facilitator = create_user(role="facilitator", email="guida@example.org")
    db.add(MeetingFacilitator(meeting_id=live.meeting_id, user_id=facilitator.id))
    db.commit()
    auth.login(facilitator.email)

    def approved(text, **fields):
        return create_contribution(
            text=text,
            live_session_id=live.id,
            meeting_id=live.meeting_id,
            channel="live",
            status="published",
            **fields,
        )

    return live, approved, facilitator


def _phone(app, live):
    phone = app.test_client()
    phone.get(f"/live/{live.code}")
    return phone


def _open_poll(client, live, **form):
    return client.post(f"/facilitatore/sessioni/{live.id}/sondaggi", data=form)


def test_a_single_choice_poll_from_opening_to_frozen_export(app, db, client, staffed):
    live, _approved, _facilitator = staffed
    assert (
        _open_poll(
            client, live, kind="single", question="Orario?", options="Mattina\nSera"
        ).status_code
        == 303
    )
    poll = db.exec(select(LivePoll)).one()
    url = f"/live/{live.code}/sondaggi/{poll.id}"
    first, second = _phone(app, live), _phone(app, live)
    page = first.get(f"/live/{live.code}").get_data(as_text=True)
    assert f'href="{HERE}{url}"' in page
    assert first.post(url, data={"scelta": "0"}).status_code == 303
    assert first.post(url, data={"scelta": "1"}).status_code == 303  # changed its answer
    assert second.post(url, data={"scelta": "1"}).status_code == 303
    two = second.post(url, data={"scelta": ["0", "1"]})
    assert two.status_code == 422 and "Scegli una risposta" in two.get_data(as_text=True)
    assert second.post(url, data={"scelta": "7"}).status_code == 422
    assert _count(db, PollAnswer) == 2
    projector = client.get(f"/live/{live.code}/proiettore").get_data(as_text=True)
    assert "Orario?" in projector and "Hanno risposto 2 telefoni" in projector
    assert (
        client.post(f"/facilitatore/sessioni/{live.id}/sondaggi/{poll.id}/chiudi").status_code
        == 303
    )
    late = first.post(url, data={"scelta": "0"})
    assert late.status_code == 409
    export = f"/facilitatore/sessioni/{live.id}/sondaggi/{poll.id}/risultato"
    body = client.get(export + ".csv").data
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert body.startswith(b"\xef\xbb\xbf") and rows == [
        ["risposta", "telefoni"],
        ["Mattina", "0"],
        ["Sera", "2"],
    ]
    assert json.loads(client.get(export + ".json").data)["phones_answered"] == 2
    assert client.get(export + ".xlsx").data.startswith(b"PK")


def test_a_word_cloud_counts_italian_lemmas_without_stop_words(app, db, client, staffed):
    live, _approved, _facilitator = staffed
    _open_poll(client, live, kind="words", question="Una parola per il quartiere?")
    poll = db.exec(select(LivePoll)).one()
    url = f"/live/{live.code}/sondaggi/{poll.id}"
    for words in ("Servizi per gli anziani", "il servizio agli anziani", "trasporti"):
        assert _phone(app, live).post(url, data={"parole": words}).status_code == 303
    assert _phone(app, live).post(url, data={"parole": "   "}).status_code == 422
    client.post(f"/facilitatore/sessioni/{live.id}/sondaggi/{poll.id}/chiudi")
    db.refresh(poll)
    cloud = dict(poll.result["words"])
    assert cloud["anziano"] == 2 and cloud["servizio"] == 2 and cloud["trasporto"] == 1
    assert not {"per", "gli", "il", "agli"} & set(cloud)


def test_poll_errors_keep_what_was_typed(client, db, staffed):
    live, _approved, _facilitator = staffed
    refused = _open_poll(client, live, kind="multiple", question="Quali temi?", options="Solo uno")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "da 2 a 10 risposte" in page and "Quali temi?" in page
    assert (
        _open_poll(client, live, kind="sondaggio", question="Q?", options="a\nb").status_code == 422
    )
    assert _open_poll(client, live, kind="single", question="", options="a\nb").status_code == 422
    assert _count(db, LivePoll) == 0


def test_a_forged_phone_cannot_answer(app, db, client, staffed):
    live, _approved, _facilitator = staffed
    _open_poll(client, live, kind="single", question="Orario?", options="Mattina\nSera")
    poll = db.exec(select(LivePoll)).one()
    forged = app.test_client()
    forged.set_cookie("live_join", "invented.value")
    response = forged.post(f"/live/{live.code}/sondaggi/{poll.id}", data={"scelta": "0"})
    assert response.status_code == 422 and _count(db, PollAnswer) == 0


def test_the_projector_shows_the_running_round_with_large_type(app, db, client, staffed):
    live, approved, _facilitator = staffed
    item = approved("Una proposta evidenziata sul proiettore.", highlighted=True)
    client.post(
        f"/facilitatore/sessioni/{live.id}/priorita", data={"method": "points", "points": "3"}
    )
    page = client.get(f"/live/{live.code}/proiettore").get_data(as_text=True)
    assert "projector-mode" in page and "Hanno votato 0 telefoni" in page
    assert f'id="proiettore-{item.id}"' in page
    css = (Path(__file__).parents[2] / "static/css/live.css").read_text()
    assert ".projector-item-highlighted { font-size: max(48px, 1.9em); }" in css


def test_each_group_has_its_own_queue_projector_and_the_plenary_shows_all(
    app, db, client, staffed, create_contribution
):
    live, approved, facilitator = staffed
    casa = WorkingGroup(live_session_id=live.id, name="Gruppo casa", position=0)
    lavoro = WorkingGroup(live_session_id=live.id, name="Gruppo lavoro", position=1)
    db.add_all([casa, lavoro])
    db.commit()
    approved("Più alloggi popolari in centro.", working_group_id=casa.id)
    approved("Tirocini per i giovani del territorio.", working_group_id=lavoro.id)
    create_contribution(
        text="In attesa nel gruppo casa, ancora.",
        live_session_id=live.id,
        working_group_id=casa.id,
        status="pending",
    )
    create_contribution(
        text="In attesa nel gruppo lavoro, ancora.",
        live_session_id=live.id,
        working_group_id=lavoro.id,
        status="pending",
    )
    queue = client.get(f"/facilitatore/sessioni/{live.id}/moderazione?gruppo={casa.id}")
    text = queue.get_data(as_text=True)
    assert "In attesa nel gruppo casa" in text and "gruppo lavoro, ancora" not in text
    projector = client.get(f"/live/{live.code}/proiettore?gruppo={casa.id}").get_data(as_text=True)
    assert "Più alloggi popolari" in projector and "Tirocini" not in projector
    assert f"/live/{live.code}/proiettore/eventi?gruppo={casa.id}" in projector
    plenary = client.get(f"/live/{live.code}/proiettore").get_data(as_text=True)
    assert plenary.count("projector-group-column") == 2
    assert "Gruppo casa" in plenary and "Gruppo lavoro" in plenary
    assert client.get(f"/live/{live.code}/proiettore?gruppo=999999").status_code == 404
    assign = f"/facilitatore/sessioni/{live.id}/gruppi/{casa.id}/facilitatore"
    assert client.post(assign, data={"facilitator": str(facilitator.id)}).status_code == 303
    db.refresh(casa)
    assert casa.facilitator_id == facilitator.id
    session_page = client.get(f"/facilitatore/sessioni/{live.id}").get_data(as_text=True)
    assert "il tuo gruppo" in session_page
    refused = client.post(assign, data={"facilitator": "424242"})
    assert refused.status_code == 422 and "facilitatori di questo incontro" in refused.get_data(
        as_text=True
    )


def test_frozen_results_show_on_the_meeting_page_and_in_the_report(
    app, db, client, auth, staffed, create_user
):
    live, approved, _facilitator = staffed
    item = approved("Una proposta votata in plenaria.")
    client.post(
        f"/facilitatore/sessioni/{live.id}/priorita", data={"method": "points", "points": "3"}
    )
    _open_poll(client, live, kind="single", question="Va bene il sabato?", options="Sì\nNo")
    from consult.live.models import PriorityRound

    round_ = db.exec(select(PriorityRound)).one()
    poll = db.exec(select(LivePoll)).one()
    phone = _phone(app, live)
    phone.post(f"/live/{live.code}/priorita/{round_.id}", data={f"punti-{item.id}": "3"})
    phone.post(f"/live/{live.code}/sondaggi/{poll.id}", data={"scelta": "0"})
    meeting_page = f"/facilitatore/incontri/{live.meeting_id}"
    assert "Priorità e sondaggi delle sessioni" not in client.get(meeting_page).get_data(
        as_text=True
    )
    client.post(f"/facilitatore/sessioni/{live.id}/priorita/{round_.id}/chiudi")
    client.post(f"/facilitatore/sessioni/{live.id}/sondaggi/{poll.id}/chiudi")
    page = client.get(meeting_page).get_data(as_text=True)
    assert "Priorità e sondaggi delle sessioni" in page
    assert "Ha votato 1 telefono" in page and "Va bene il sabato?" in page
    planner = create_user(role="planner", email="pianifica@example.org")
    auth.logout()
    auth.login(planner.email)
    report = client.get("/pianificazione/rapporto").get_data(as_text=True)
    assert "Priorità e sondaggi negli incontri" in report
    assert "Una proposta votata in plenaria." in report and "Va bene il sabato?" in report
