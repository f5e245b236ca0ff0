"""Facilitators create, edit, open and close meetings; closing needs its record."""

import io

from sqlmodel import select

from consult.common.models import AuditLog
from consult.meetings.models import LiveSession, Meeting, MeetingFacilitator, WorkingGroup
from tests.consultation_client import HERE

MEETING = {
    "title": "Incontro territoriale di Asti",
    "territory": "1",
    "place": "Asti, Sala consiliare",
    "starts_at": "2017-11-06T09:30",
    "agenda": "Presentazione; gruppi; restituzione.",
    "km_travelled": "55,4",
}


def test_a_facilitator_creates_a_meeting_and_runs_it(client, auth, db, consultation, create_user):
    author = create_user(role="facilitator")
    colleague = create_user(role="facilitator", display_name="Carla")
    auth.login(author.email)
    assert "Carla" in client.get("/facilitatore/incontri/nuovo").get_data(as_text=True)
    response = client.post(
        "/facilitatore/incontri/nuovo",
        data={**MEETING, "km_travelled": "55.4", "facilitators": [str(colleague.id)]},
    )
    assert response.status_code == 303
    meeting = db.exec(select(Meeting)).one()
    assert meeting.title == MEETING["title"] and meeting.km_travelled == 55.4
    assert meeting.starts_at.hour == 8  # 09:30 in Italy in November is 08:30 UTC
    assert set(db.exec(select(MeetingFacilitator.user_id))) == {author.id, colleague.id}
    page = client.get(f"/facilitatore/incontri/{meeting.id}").get_data(as_text=True)
    assert "Programmato" in page and "09:30" in page
    assert "0 proposte collegate all'incontro" in page
    assert "meeting-tools-title" in page  # the place where import and export links go
    assert client.post(f"/facilitatore/incontri/{meeting.id}/apri").status_code == 303
    db.refresh(meeting)
    assert meeting.status == "open"


def test_a_meeting_without_title_or_date_is_refused_with_values_kept(
    client, auth, db, consultation, create_user
):
    auth.login(create_user(role="facilitator").email)
    response = client.post(
        "/facilitatore/incontri/nuovo", data={**MEETING, "title": "", "starts_at": "ieri"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Inserisci il titolo dell'incontro." in page
    assert "Asti, Sala consiliare" in page
    assert db.exec(select(Meeting)).all() == []


def test_editing_changes_the_meeting_and_is_audited(client, auth, db, create_user, create_meeting):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator])
    auth.login(facilitator.email)
    form = client.get(f"/facilitatore/incontri/{meeting.id}/modifica").get_data(as_text=True)
    assert "Incontro di prova" in form
    response = client.post(
        f"/facilitatore/incontri/{meeting.id}/modifica",
        data={**MEETING, "km_travelled": "", "facilitators": [str(facilitator.id)]},
    )
    assert response.status_code == 303
    db.refresh(meeting)
    assert meeting.place == "Asti, Sala consiliare" and meeting.km_travelled is None
    assert db.exec(select(AuditLog).where(AuditLog.action == "meeting.update")).one()


def test_closing_without_attendance_and_minutes_is_refused_and_keeps_what_was_typed(
    client, auth, db, create_user, create_meeting
):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    auth.login(facilitator.email)
    response = client.post(
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        data={"attendance": "", "organisations": "Caritas di Asti", "minutes": ""},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Indica quante persone hanno partecipato." in page
    assert "Caritas di Asti" in page
    response = client.post(
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        data={"attendance": "45", "organisations": "Caritas di Asti", "minutes": ""},
    )
    assert response.status_code == 422
    assert "Scrivi il verbale o carica un file" in response.get_data(as_text=True)
    db.refresh(meeting)
    assert meeting.status == "open" and meeting.attendance is None


def test_closing_with_a_minutes_file_serves_it_to_staff_only(
    app, client, auth, db, create_user, create_meeting, create_live_session
):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    live = create_live_session(meeting=meeting)
    auth.login(facilitator.email)
    response = client.post(
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        data={
            "attendance": "45",
            "organisations": "Caritas di Asti\nASL AT",
            "minutes_file": (io.BytesIO(b"Verbale dell'incontro"), "verbale.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    db.refresh(meeting)
    assert meeting.status == "closed" and meeting.attendance == 45
    assert meeting.minutes_file.endswith(".txt") and "verbale" not in meeting.minutes_file
    db.refresh(live)
    assert live.status == "closed"
    download = client.get(f"/facilitatore/incontri/{meeting.id}/verbale")
    assert download.status_code == 200 and download.data == b"Verbale dell'incontro"
    download.close()
    auth.logout()
    assert client.get(f"/facilitatore/incontri/{meeting.id}/verbale").status_code == 302
    auth.login(create_user(role="participant").email)
    assert client.get(f"/facilitatore/incontri/{meeting.id}/verbale").status_code == 403


def test_minutes_files_of_other_types_or_too_big_are_refused(
    client, auth, db, create_user, create_meeting, monkeypatch
):
    monkeypatch.setattr("consult.meetings.views.MINUTES_MAX_BYTES", 1000)
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    auth.login(facilitator.email)
    base = {"attendance": "10", "organisations": "ASL"}
    bad_type = client.post(
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        data={**base, "minutes_file": (io.BytesIO(b"MZ"), "verbale.exe")},
        content_type="multipart/form-data",
    )
    assert bad_type.status_code == 422
    assert "Formato non ammesso" in bad_type.get_data(as_text=True)
    too_big = client.post(
        f"/facilitatore/incontri/{meeting.id}/chiudi",
        data={**base, "minutes_file": (io.BytesIO(b"x" * 1001), "verbale.pdf")},
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 422
    assert "supera i 4 MB" in too_big.get_data(as_text=True)
    db.refresh(meeting)
    assert meeting.status == "open"


def test_opening_a_live_session_with_groups(client, auth, db, create_user, create_meeting):
    facilitator = create_user(role="facilitator")
    meeting = create_meeting(facilitators=[facilitator], status="open")
    auth.login(facilitator.email)
    response = client.post(
        f"/facilitatore/incontri/{meeting.id}/sessioni",
        data={"moderation": "pre", "groups": "Giovani\nAnziani"},
    )
    assert response.status_code == 303
    live = db.exec(select(LiveSession)).one()
    assert [g.name for g in db.exec(select(WorkingGroup))] == ["Giovani", "Anziani"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert live.code in page and f"/live/{live.code}/qr.svg" in page
    assert f"http://localhost{HERE}/live/{live.code}" in page


def test_statistics_page_formats_numbers_in_italian(client, create_meeting):
    create_meeting(status="closed", attendance=400, km_travelled=1000.0)
    create_meeting(status="closed", attendance=8, km_travelled=117.9)
    page = client.get("/statistiche").get_data(as_text=True)
    assert "2 incontri, 408 interlocutori, 1.117,9 km" in " ".join(page.split())
    client.post("/lingua", data={"lang": "en"})
    page = client.get("/statistiche").get_data(as_text=True)
    assert "2 meetings, 408 interlocutors, 1,117.9 km" in " ".join(page.split())


def test_km_typed_with_a_comma_are_stored_as_decimals(client, auth, db, consultation, create_user):
    auth.login(create_user(role="facilitator").email)
    form = client.get("/facilitatore/incontri/nuovo").get_data(as_text=True)
    assert 'name="km_travelled"' in form and 'inputmode="decimal"' in form
    assert client.post("/facilitatore/incontri/nuovo", data=MEETING).status_code == 303
    meeting = db.exec(select(Meeting)).one()
    assert meeting.km_travelled == 55.4
    edit = client.get(f"/facilitatore/incontri/{meeting.id}/modifica").get_data(as_text=True)
    assert 'value="55,4"' in edit  # shown back the Italian way


def test_garbage_km_get_a_clear_italian_error_and_keep_what_was_typed(
    client, auth, db, consultation, create_user
):
    auth.login(create_user(role="facilitator").email)
    response = client.post(
        "/facilitatore/incontri/nuovo", data={**MEETING, "km_travelled": "55,4,1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Scrivi i km come numero, con la virgola per i decimali: ad esempio 94,6." in page
    assert 'value="55,4,1"' in page
    assert db.exec(select(Meeting)).all() == []
