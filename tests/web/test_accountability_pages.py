"""Planners' coverage, responses and report pages, and the public objective pages."""

import re

import pytest
from sqlmodel import func, select

from consult.accountability.models import Response
from consult.common.models import AuditLog
from tests.consultation_client import HERE


@pytest.fixture
def planner(auth, create_user):
    user = create_user(role="planner")
    auth.login(user.email)
    return user


@pytest.fixture
def analysed(create_contribution, create_analysis, create_theme, objectives, territories):
    """A current run: housing (2 published + 1 pending proposals) and an off-strategy theme."""
    run = create_analysis()
    torino, cuneo = territories["torino"].id, territories["cuneo"].id
    housing = [
        create_contribution(text="Affitti calmierati per giovani coppie", territory_id=torino),
        create_contribution(
            text="Più alloggi sociali in montagna", territory_id=cuneo, channel="paper"
        ),
        create_contribution(
            text="Proposta in attesa di moderazione", territory_id=cuneo, status="pending"
        ),
    ]
    transport = [create_contribution(text="Bus a chiamata nelle valli", territory_id=cuneo)]
    casa = create_theme(
        run,
        label="casa affitto",
        custom_label="Casa e affitti",
        members=housing,
        objectives=[(objectives["abitare"], 0.8)],
        stable_key="casa",
        representative=housing[:1],
    )
    trasporti = create_theme(
        run,
        label="trasporti valli",
        members=transport,
        objectives=[(None, 0.7)],
        stable_key="trasporti",
    )
    create_theme(
        run,
        label="scartato",
        members=[],
        objectives=[(objectives["abitare"], 0.9)],
        status="discarded",
        stable_key="scarto",
    )
    return {"casa": casa, "trasporti": trasporti, "housing": housing, "transport": transport}


def test_coverage_page_shows_counts_in_text_with_scope_headers(client, planner, analysed):
    page = client.get("/pianificazione/copertura").get_data(as_text=True)
    cell = re.search(
        r'data-row="abitare" data-column="cuneo">\s*<span class="heat-count">(\d+)', page
    )
    assert cell and cell.group(1) == "1"
    assert re.search(
        r'data-row="fuori-strategia" data-column="cuneo">\s*'
        r'<span class="heat-count">1',
        page,
    )
    assert 'scope="col"' in page and 'scope="row"' in page and "style=" not in page
    assert "Legenda" in page and "Fuori strategia" in page and "Non assegnate" in page
    assert "Chi non abbiamo ancora ascoltato" in page


def test_coverage_gap_suggestion_and_custom_thresholds(client, planner, analysed):
    page = client.get("/pianificazione/copertura?min_proposte=2").get_data(as_text=True)
    assert "Suggerimento: pianifica un incontro a Torino." in page
    assert "Suggerimento: dedica un gruppo di lavoro a «Regolamento ISEE»" in page
    lower = client.get("/pianificazione/copertura?min_proposte=1").get_data(as_text=True)
    assert "pianifica un incontro a Torino." not in lower
    assert "Suggerimento: dedica un gruppo di lavoro a «Regolamento ISEE»" in lower


def test_coverage_by_channel_and_htmx_fragment(client, planner, analysed):
    page = client.get("/pianificazione/copertura?vista=canali").get_data(as_text=True)
    assert "Obiettivi per canale" in page and "Su carta" in page
    assert re.search(r'data-row="abitare" data-column="paper">\s*<span class="heat-count">1', page)
    fragment = client.get("/pianificazione/copertura", headers={"HX-Request": "true"})
    assert "HX-Request" in fragment.headers["Vary"]
    assert fragment.get_data(as_text=True).lstrip().startswith('<div id="coverage-results"')


def test_coverage_bad_filters_get_422_in_italian(client, planner, analysed):
    response = client.get("/pianificazione/copertura?dal=2018-03-01&al=2018-01-01&min_proposte=0")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "La data finale precede quella iniziale." in page
    assert "Inserisci un numero tra 1 e 10000." in page


def test_planner_answers_a_theme_and_the_public_page_shows_it(client, planner, db, analysed):
    form = client.get("/pianificazione/risposte/nuova?tema=casa").get_data(as_text=True)
    assert '<option selected value="casa">Casa e affitti</option>' in form
    created = client.post(
        "/pianificazione/risposte/nuova",
        data={
            "theme": "casa",
            "objective": "",
            "status": "accolta",
            "text": "Il bando 2019 finanzia 300 alloggi sociali.",
        },
    )
    assert created.status_code == 302
    stored = db.exec(select(Response)).one()
    assert stored.theme_stable_key == "casa" and stored.author_id == planner.id
    public = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "300 alloggi" not in public  # a draft stays private
    assert client.post(f"/pianificazione/risposte/{stored.id}/pubblica").status_code == 302
    public = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "Il bando 2019 finanzia 300 alloggi sociali." in public
    assert "response-status-accolta" in public and ">Accolta<" in public
    edit = client.post(
        f"/pianificazione/risposte/{stored.id}/modifica",
        data={"theme": "casa", "status": "attuata", "text": "Alloggi consegnati."},
    )
    assert edit.status_code == 302
    assert ">Attuata<" in client.get("/obiettivi/abitare").get_data(as_text=True)
    actions = db.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["response.create", "response.publish", "response.update"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "accolta", "text": "Senza destinatario"}, "Scegli un solo destinatario"),
        (
            {"objective": "isee", "contribution": "1", "status": "accolta", "text": "Due"},
            "Scegli un solo destinatario",
        ),
        (
            {"contribution": "999", "status": "accolta", "text": "Proposta inesistente"},
            "Non esiste una proposta con questo numero.",
        ),
        ({"objective": "isee", "status": "accolta", "text": ""}, "Scrivi la risposta."),
        ({"objective": "isee", "status": "forse", "text": "Stato"}, "Non è una opzione valida"),
    ],
)
def test_invalid_response_is_422_and_nothing_stored(
    client, planner, db, consultation, data, message
):
    response = client.post("/pianificazione/risposte/nuova", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if data["text"]:
        assert data["text"] in page
    assert db.exec(select(func.count()).select_from(Response)).one() == 0
    assert db.exec(select(func.count()).select_from(AuditLog)).one() == 0


def test_public_objective_page_shows_what_people_said(
    client, analysed, create_response, objectives
):
    older = create_response(objective_id=objectives["abitare"].id, text="Prima risposta")
    create_response(theme_stable_key="casa", text="Seconda risposta", status="non-accolta")
    create_response(objective_id=objectives["abitare"].id, text="Bozza nascosta", published=False)
    create_response(objective_id=objectives["isee"].id, text="Risposta su altro obiettivo")
    page = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "2 proposte pubblicate contano per questo obiettivo." in page
    assert "Casa e affitti" in page and "Affitti calmierati per giovani coppie" in page
    assert "Proposta in attesa di moderazione" not in page
    assert "scartato" not in page
    assert page.index("Seconda risposta") < page.index("Prima risposta")  # newest first
    assert older.text in page and "Bozza nascosta" not in page
    assert "Risposta su altro obiettivo" not in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img"' in page


def test_fuori_strategia_page_lists_emerging_needs(client, analysed, create_response):
    create_response(
        theme_stable_key="trasporti", text="Ne parliamo con i trasporti.", status="in-valutazione"
    )
    page = client.get("/obiettivi/fuori-strategia").get_data(as_text=True)
    assert "Fuori strategia: bisogni emergenti" in page
    assert "trasporti valli" in page and "Bus a chiamata nelle valli" in page
    assert "Ne parliamo con i trasporti." in page and ">In valutazione<" in page
    assert "1 proposta pubblicata è fuori strategia." in page


def test_unknown_objective_is_404(client, consultation):
    assert client.get("/obiettivi/non-esiste").status_code == 404


def test_home_cards_link_to_objective_pages(client, consultation):
    page = client.get(f"{HERE}/").get_data(as_text=True)
    assert (
        f'href="{HERE}/obiettivi/isee"' in page
    )  # the test framework has no axes: no sectoral card


def test_response_list_shows_drafts_and_targets(
    client, planner, analysed, create_response, objectives
):
    create_response(theme_stable_key="casa", text="Sul tema casa", published=False)
    create_response(objective_id=objectives["isee"].id, text="Su ISEE")
    page = client.get("/pianificazione/risposte/").get_data(as_text=True)
    assert "Tema: Casa e affitti" in page and "Obiettivo: Regolamento ISEE" in page
    assert ">Bozza<" in page and ">Pubblicata<" in page


def test_edit_keeps_a_theme_that_left_the_current_run(
    client, planner, create_response, create_analysis, consultation
):
    create_analysis()
    item = create_response(theme_stable_key="vecchio-tema")
    page = client.get(f"/pianificazione/risposte/{item.id}/modifica").get_data(as_text=True)
    assert "Tema vecchio-tema (non più nell&#39;analisi corrente)" in page
    assert (
        client.post(
            f"/pianificazione/risposte/{item.id}/modifica",
            data={"theme": "vecchio-tema", "status": "accolta", "text": "Ancora valida"},
        ).status_code
        == 302
    )


def test_missing_response_is_404(client, planner, consultation):
    assert client.get("/pianificazione/risposte/99/modifica").status_code == 404
    assert client.post("/pianificazione/risposte/99/pubblica").status_code == 404


def test_planner_sees_answer_links_on_public_pages(client, auth, create_user, analysed):
    anonymous = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "/pianificazione/risposte/nuova" not in anonymous
    auth.login(create_user(role="planner").email)
    page = client.get("/obiettivi/abitare").get_data(as_text=True)
    assert "/pianificazione/risposte/nuova?tema=casa" in page
    assert "/pianificazione/risposte/nuova?obiettivo=abitare" in page
    matrix = client.get("/pianificazione/copertura").get_data(as_text=True)
    assert f'href="{HERE}/obiettivi/abitare"' in matrix
    assert f'href="{HERE}/obiettivi/fuori-strategia"' in matrix
    assert f'href="{HERE}/obiettivi/non-assegnate"' not in matrix


def test_gap_alerts_say_where_in_correct_italian(client, db, planner, analysed, territories):
    torino = territories["torino"]
    torino.name, torino.article = "Città metropolitana di Torino", "la"
    db.add(torino)
    db.commit()
    page = client.get("/pianificazione/copertura?min_proposte=2").get_data(as_text=True)
    assert "Solo 1 proposta è arrivata dalla Città metropolitana di Torino." in page
    assert "Suggerimento: pianifica un incontro nella Città metropolitana di Torino." in page
    assert "circa 1 attese" not in page
    client.post("/lingua", data={"lang": "en"})
    english = client.get("/pianificazione/copertura?min_proposte=2").get_data(as_text=True)
    assert "Suggestion: plan a meeting in Città metropolitana di Torino." in english
