"""Exports of a meeting's or live session's items: match the database, no formula injection."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from consult.framework.models import Objective
from consult.meetings.exports import COLUMNS
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
    assert header == list(COLUMNS)
    expected = db.exec(
        select(Contribution)
        .where(Contribution.meeting_id == items["meeting"].id)
        .order_by(Contribution.created_at, Contribution.id)
    ).all()
    assert [int(r[0]) for r in rows] == [c.id for c in expected]
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows}
    first, second = by_id[items["first"].id], by_id[items["second"].id]
    assert first["testo"] == '\'=HYPERLINK("http://x";"clic")' and first["titolo"] == "'+titolo"
    assert (first["provenienza"], first["riga_origine"], first["territorio"]) == (
        "import",
        "7",
        "Torino",
    )
    assert (second["stato"], second["canale"], second["sostegni"]) == ("pending", "live", "2")
    assert (second["in_evidenza"], second["discusso"]) == ("sì", "no")
    assert second["gruppo_di_lavoro"] == "Asse 4: abitare"
    assert second["obiettivo_suggerito"] == "abitare" and second["ruolo"] == "ente-locale"
    assert second["testo_originale"] == "Piu case popolari"


def test_xlsx_export_has_bold_frozen_header_and_escaped_cells(client, auth, items, meeting_staff):
    auth.login(meeting_staff["planner"].email)
    response = client.get(f"/facilitatore/incontri/{items['meeting'].id}/esporta.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[1]] == list(COLUMNS)
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width == 80
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    first = values[items["first"].id]
    assert first[4] == '\'=HYPERLINK("http://x";"clic")'
    assert sheet.cell(row=2, column=5).data_type == "s"
    assert values[items["second"].id][11] == 2 and values[items["second"].id][12] is True


def test_live_session_export_has_only_its_items(client, auth, items, meeting_staff):
    auth.login(meeting_staff["admin"].email)
    url = f"/facilitatore/incontri/{items['meeting'].id}/esporta.csv?sessione={items['live'].id}"
    response = client.get(url)
    assert "-sessione-ABC123-" in response.headers["Content-Disposition"]
    assert [int(r[0]) for r in _csv_rows(response)[1:]] == [items["second"].id]
    assert client.get(url.replace(f"={items['live'].id}", "=999")).status_code == 404
