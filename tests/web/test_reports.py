"""Exports over HTTP and the printable report: figures match the database."""

import csv
import io
import re
import sys

import pytest
from openpyxl import load_workbook
from sqlalchemy import text


@pytest.fixture
def planner(auth, create_user):
    user = create_user(role="planner")
    auth.login(user.email)
    return user


@pytest.fixture
def seeded(
    create_contribution,
    create_meeting,
    create_analysis,
    create_theme,
    create_response,
    objectives,
    territories,
):
    meeting = create_meeting(
        territory_id=territories["cuneo"].id,
        attendance=40,
        km_travelled=94.6,
        organisations="Caritas, ACLI\nComune di Cuneo",
        status="closed",
    )
    create_meeting(title="Secondo", attendance=12, organisations="caritas", status="closed")
    create_meeting(title="In programma", status="planned", km_travelled=300.0)  # not held yet
    proposals = [
        create_contribution(
            text="Uno",
            channel="online",
            territory_id=territories["torino"].id,
            participant_role="cittadino",
        ),
        create_contribution(
            text="Due",
            channel="paper",
            territory_id=territories["cuneo"].id,
            meeting_id=meeting.id,
            participant_role="sindacato",
        ),
        create_contribution(
            text="Tre",
            channel="paper",
            territory_id=territories["cuneo"].id,
            participant_role="cittadino",
        ),
        create_contribution(text="Quattro", status="pending"),
    ]
    run = create_analysis()
    create_theme(
        run, label="Tema casa", members=proposals[:2], objectives=[(objectives["abitare"], 0.9)]
    )
    create_response(objective_id=objectives["isee"].id, text="Risposta pubblicata")
    create_response(objective_id=objectives["isee"].id, text="Bozza", published=False)
    return proposals


def _figure(page: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]+)<', page).group(1)


def test_report_figures_match_the_database(client, planner, db, seeded):
    page = client.get("/pianificazione/rapporto").get_data(as_text=True)
    sql = db.execute
    assert _figure(page, "proposals") == str(
        sql(text("SELECT COUNT(*) FROM contribution WHERE status='published'")).scalar_one()
    )
    held = "FROM meeting WHERE status='closed'"
    assert _figure(page, "meetings") == str(sql(text(f"SELECT COUNT(*) {held}")).scalar_one())
    assert _figure(page, "interlocutors") == str(
        sql(text(f"SELECT SUM(attendance) {held}")).scalar_one()
    )
    assert _figure(page, "organisations") == "3"  # Caritas counted once
    assert _figure(page, "km") == "94,6"  # the planned meeting's 300 km not yet travelled
    by_channel = dict(
        sql(
            text(
                "SELECT channel, COUNT(*) FROM contribution "
                "WHERE status='published' GROUP BY channel"
            )
        ).all()
    )
    assert f"<title>Su carta: {by_channel['paper']}</title>" in page
    assert f"<title>Online: {by_channel['online']}</title>" in page
    assert "<title>Cittadina o cittadino: 2</title>" in page and "<title>Cuneo: 2</title>" in page
    assert "Tema casa" in page and "Risposta pubblicata" in page and "Bozza" not in page
    assert re.search(r'data-row="abitare" data-column="cuneo">\s*<span class="heat-count">1', page)
    assert "css/report.css" in page and "style=" not in page


def test_report_pdf_is_a_pdf(client, planner, seeded):
    pytest.importorskip("weasyprint")
    response = client.get("/pianificazione/rapporto.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_report_pdf_degrades_without_weasyprint(client, planner, seeded, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import now raises ImportError
    response = client.get("/pianificazione/rapporto.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "PDF non disponibile" in page and "/pianificazione/rapporto" in page


def test_exports_over_http(client, planner, db, seeded):
    published = db.execute(
        text("SELECT COUNT(*) FROM contribution WHERE status = 'published'")
    ).scalar_one()
    total = db.execute(text("SELECT COUNT(*) FROM contribution")).scalar_one()
    assert published < total  # the sample has pending proposals: the default leaves them out
    csv_response = client.get("/pianificazione/esporta.csv")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    body = csv_response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == published
    assert {r["Testo"]: r["Codici obiettivi"] for r in rows}["Uno"] == "abitare"
    assert {r["Stato"] for r in rows} == {"Pubblicata"}
    every = "&".join(f"stato={s}" for s in ("published", "pending", "rejected", "merged", "hidden"))
    sheet = load_workbook(io.BytesIO(client.get(f"/pianificazione/esporta.xlsx?{every}").data))
    xlsx = sheet.active
    assert xlsx.max_row == total + 1
    assert xlsx.freeze_panes == "A2" and xlsx.auto_filter.ref.startswith("A1:")
    assert xlsx.column_dimensions["D"].width == 80
    items = client.get(f"/pianificazione/esporta.json?{every}").get_json()["items"]
    assert len(items) == total
    assert {i["text"]: i["status"] for i in items}["Quattro"] == "pending"
    assert len(client.get("/pianificazione/esporta.json").get_json()["items"]) == published
    assert client.get("/pianificazione/esporta.pdf").status_code == 404


def test_the_planners_csv_export_is_streamed(client, auth, create_user, create_contribution):
    create_contribution()
    auth.login(create_user(role="planner").email)
    response = client.get("/pianificazione/esporta.csv")
    assert response.is_streamed
    assert response.get_data(as_text=True).startswith("\ufeffN.;Stato;Titolo")


def test_the_pdf_report_shows_every_character_it_holds(
    client, planner, seeded, create_contribution
):
    """The longest role label and the largest value are drawn whole (none clipped by the chart)."""
    pytest.importorskip("weasyprint")
    from tests.pdf_ink import unpainted_characters

    for _ in range(3):
        create_contribution(text="Servono educatori", participant_role="operatore-sociale")
    pdf = client.get("/pianificazione/rapporto.pdf").data
    assert unpainted_characters(pdf) == []


def test_the_clipped_text_check_finds_a_label_cut_by_its_box():
    """The check itself: a label pushed half out of an `overflow: hidden` box is reported."""
    weasyprint = pytest.importorskip("weasyprint")
    from tests.pdf_ink import unpainted_characters

    html = (
        "<p>Visibile</p><div style='width: 60px; overflow: hidden; white-space: nowrap'>"
        "<span style='margin-left: -30px'>Operatrice o operatore sociale</span></div>"
    )
    found = unpainted_characters(weasyprint.HTML(string=html).write_pdf())
    assert found and "".join(char for _page, char, _box in found).startswith("Op")
    assert "V" not in {char for _page, char, _box in found}


def test_the_pdf_report_flows_its_sections_and_keeps_the_matrix_on_its_own_page(
    client, planner, seeded
):
    """Themes and answers follow what comes before them: a section moves to the next page only
    when the page before is full (forced breaks left a page holding one chart and a page holding
    one line); the wide coverage matrix ends the report on a landscape page."""
    pytest.importorskip("weasyprint")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(client.get("/pianificazione/rapporto.pdf").data)
    pages = []  # (landscape, text, the lowest text's distance from the foot, page height)
    for page in document:
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(textpage.count_chars())]
        lowest = min((box[1] for box in boxes if box[3] > box[1]), default=page.get_height())
        pages.append(
            (
                page.get_width() > page.get_height(),
                textpage.get_text_range(),
                lowest,
                page.get_height(),
            )
        )
        textpage.close()
        page.close()
    document.close()

    def page_of(heading: str) -> int:
        return next(i for i, (_wide, text, _low, _h) in enumerate(pages) if heading in text)

    for heading in ("Temi per obiettivo", "Le risposte della Regione"):
        index = page_of(heading)
        wide, text, _lowest, _height = pages[index]
        assert not wide
        if text.strip().startswith(heading) and index > 0:
            _wide, _text, lowest, height = pages[index - 1]
            assert lowest < 0.35 * height, (
                f"{heading} left the page before it {lowest / height:.0%} empty"
            )
    index = page_of("Copertura degli obiettivi")
    wide, text, _lowest, _height = pages[index]
    assert wide and index == len(pages) - 1
    assert text.strip().startswith("Copertura degli obiettivi")
