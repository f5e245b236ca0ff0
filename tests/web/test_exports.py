"""Exports of a meeting's or live session's items: match the database, no formula injection."""

import csv
import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from consult.framework.models import Objective
from consult.meetings.models import LiveSession, WorkingGroup
from consult.proposals.models import Contribution, Support


@pytest.fixture
def items(db, meeting_staff, create_contribution, create_meeting):
    meeting = meeting_staff["meeting"]
    live = LiveSession(meeting_id=meeting.id, code="ABC123")
    db.add(live)
    db.commit()
    group = WorkingGroup(live_session_id=live.id, name="Asse 4: abitare")
    db.add(group)
    db.commit()
    objective = db.exec(select(Objective).where(Objective.code == "abitare")).one()
    first = create_contribution(
        text='=HYPERLINK("http://x";"clic")',
        meeting_id=meeting.id,
        channel="paper",
        territory_id=meeting.territory_id,
        provenance={"source": "import", "row": 7},
        title="+titolo",
    )
    second = create_contribution(
        text="Più case popolari nei piccoli comuni.",
        meeting_id=meeting.id,
        live_session_id=live.id,
        working_group_id=group.id,
        channel="live",
        highlighted=True,
        suggested_objective_id=objective.id,
        status="pending",
        original_text="Piu case popolari",
        participant_role="ente-locale",
    )
    create_contribution(
        text="Di un altro incontro, non va esportata.", meeting_id=create_meeting(title="Altro").id
    )
    for token in ("a", "b"):
        db.add(Support(contribution_id=second.id, browser_token=token))
    db.commit()
    return {"meeting": meeting, "live": live, "first": first, "second": second}


def _csv_rows(response):
    assert response.data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


HEADER = [
    "N.", "Inserita il", "Canale", "Stato", "Testo", "Testo originale", "Titolo", "Territorio",
    "Gruppo di lavoro", "Ruolo di chi scrive", "Obiettivo suggerito", "Sostegni", "In evidenza",
    "Discussa", "Provenienza", "Riga del file", "Codice canale", "Codice stato", "Codice ruolo",
    "Codice obiettivo",
]  # fmt: skip


def test_csv_export_matches_the_database_and_neutralises_formulas(
    client, db, auth, items, meeting_staff
):
    auth.login(meeting_staff["facilitator"].email)
    response = client.get(f"/facilitatore/incontri/{items['meeting'].id}/esporta.csv")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="incontro-territoriale-di-torino-{date.today().isoformat()}.csv"'
    )
    header, *rows = _csv_rows(response)
    assert header == HEADER
    expected = db.exec(
        select(Contribution)
        .where(Contribution.meeting_id == items["meeting"].id)
        .order_by(Contribution.created_at, Contribution.id)
    ).all()
    assert [int(r[0]) for r in rows] == [c.id for c in expected]
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows}
    first, second = by_id[items["first"].id], by_id[items["second"].id]
    assert first["Testo"] == '\'=HYPERLINK("http://x";"clic")' and first["Titolo"] == "'+titolo"
    assert (first["Provenienza"], first["Riga del file"], first["Territorio"]) == (
        "import",
        "7",
        "Torino",
    )
    assert (first["Canale"], first["Codice canale"]) == ("Su carta", "paper")
    assert (second["Stato"], second["Codice stato"]) == ("In attesa di moderazione", "pending")
    assert (second["Canale"], second["Sostegni"]) == ("Sessione dal vivo", "2")
    assert (second["In evidenza"], second["Discussa"]) == ("sì", "no")
    assert second["Gruppo di lavoro"] == "Asse 4: abitare"
    assert second["Obiettivo suggerito"] != "abitare" and second["Codice obiettivo"] == "abitare"
    assert (second["Ruolo di chi scrive"], second["Codice ruolo"]) == ("Ente locale", "ente-locale")
    assert second["Testo originale"] == "Piu case popolari"
    # Italian time to the minute: no ISO, no microseconds
    created = items["second"].created_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Rome"))
    assert second["Inserita il"] == created.strftime("%d/%m/%Y %H:%M")


def test_the_meeting_csv_speaks_english_to_an_english_user(client, auth, items, meeting_staff):
    auth.login(meeting_staff["facilitator"].email)
    client.post("/lingua", data={"lang": "en"})
    header, *rows = _csv_rows(
        client.get(f"/facilitatore/incontri/{items['meeting'].id}/esporta.csv")
    )
    assert header[:4] == ["No.", "Entered on", "Channel", "Status"]
    second = dict(
        zip(header, next(r for r in rows if int(r[0]) == items["second"].id), strict=True)
    )
    assert (second["Channel"], second["Highlighted"], second["Channel code"]) == (
        "Live session",
        "yes",
        "live",
    )


def test_xlsx_export_has_real_dates_widths_filter_and_escaped_cells(
    client, auth, items, meeting_staff
):
    auth.login(meeting_staff["planner"].email)
    response = client.get(f"/facilitatore/incontri/{items['meeting'].id}/esporta.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:T{sheet.max_row}"
    assert sheet.column_dimensions["E"].width == 80
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    first = values[items["first"].id]
    assert first[4] == '\'=HYPERLINK("http://x";"clic")'
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert sheet.cell(row=2, column=2).is_date
    assert sheet.cell(row=2, column=2).number_format == "dd/mm/yyyy hh:mm"
    assert isinstance(first[1], datetime) and first[1].microsecond == 0
    assert values[items["second"].id][11] == 2 and values[items["second"].id][12] == "sì"


def test_live_session_export_has_only_its_items(client, auth, items, meeting_staff):
    auth.login(meeting_staff["admin"].email)
    url = f"/facilitatore/incontri/{items['meeting'].id}/esporta.csv?sessione={items['live'].id}"
    response = client.get(url)
    assert "-sessione-ABC123-" in response.headers["Content-Disposition"]
    assert [int(r[0]) for r in _csv_rows(response)[1:]] == [items["second"].id]
    assert client.get(url.replace(f"={items['live'].id}", "=999")).status_code == 404
