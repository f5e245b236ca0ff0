"""Outcomes in public: a proposal's page and card show the Region's published answers that
concern it (to it, its theme or its objective, saying which) and the list filters on them."""

import re

import pytest

from tests.consultation_client import HERE


@pytest.fixture
def housing(create_contribution, create_analysis, create_theme, objectives):
    run = create_analysis()
    proposal = create_contribution(text="Affitti calmierati per giovani coppie nelle città.")
    neighbour = create_contribution(text="Più alloggi sociali nei comuni di montagna.")
    unrelated = create_contribution(text="Un ISEE uguale in tutta la regione, senza differenze.")
    create_theme(
        run,
        custom_label="Casa e affitti",
        members=[proposal, neighbour],
        objectives=[(objectives["abitare"], 0.8)],
        stable_key="casa",
    )
    create_theme(
        run,
        custom_label="Regole ISEE",
        members=[unrelated],
        objectives=[(objectives["isee"], 0.9)],
        stable_key="isee",
    )
    return proposal, neighbour, unrelated


def _page(client, proposal) -> str:
    response = client.get(f"/proposte/{proposal.id}")
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def _listed(client, **args) -> set[int]:
    html = client.get("/proposte", query_string=args).get_data(as_text=True)
    return {int(n) for n in re.findall(rf'href="{HERE}/proposte/(\d+)"', html)}


def test_a_direct_answer_shows_once_published(client, housing, create_response):
    proposal, _neighbour, _unrelated = housing
    draft = create_response(contribution_id=proposal.id, text="Bozza interna", published=False)
    page = _page(client, proposal)
    assert "Bozza interna" not in page and "Nessuna risposta della Regione per ora." in page
    assert "Casa e affitti" in page  # its theme, and the objective it counts for:
    assert f'<a href="{HERE}/obiettivi/abitare">' in page
    create_response(contribution_id=proposal.id, text="Finanziati 200 alloggi.", status="accolta")
    page = _page(client, proposal)
    assert "Risposta a questa proposta" in page and "Finanziati 200 alloggi." in page
    assert "Accolta" in page and draft.text not in page


def test_a_theme_answer_and_an_objective_answer_say_what_they_answered(
    client, housing, create_response, objectives
):
    proposal, _neighbour, unrelated = housing
    create_response(theme_stable_key="casa", text="Un fondo per gli affitti.")
    create_response(objective_id=objectives["abitare"].id, text="Il nuovo piano casa.")
    page = _page(client, proposal)
    assert "Risposta al tema «Casa e affitti»" in page and "Un fondo per gli affitti." in page
    assert "Risposta all'obiettivo «Politiche per l&#39;abitare»" in page
    assert "Il nuovo piano casa." in page
    assert "Un fondo per gli affitti." not in _page(client, unrelated)


def test_the_list_badges_answered_proposals_and_filters_on_them(client, housing, create_response):
    proposal, neighbour, unrelated = housing
    assert _listed(client, risposta="con") == set()
    assert _listed(client, risposta="senza") == {proposal.id, neighbour.id, unrelated.id}
    create_response(theme_stable_key="casa", text="Un fondo per gli affitti.")
    html = client.get("/proposte").get_data(as_text=True)
    assert html.count("Con risposta</span>") == 2
    assert _listed(client, risposta="con") == {proposal.id, neighbour.id}
    assert _listed(client, risposta="senza") == {unrelated.id}
    assert _listed(client, risposta="forse") == {proposal.id, neighbour.id, unrelated.id}
    api = client.get("/api/v1/contributions", query_string={"answered": "yes"}).get_json()
    assert {item["id"] for item in api["items"]} == {proposal.id, neighbour.id}


def test_an_objective_answer_badges_and_filters_the_proposals_counting_for_it(
    client, housing, create_response, objectives
):
    proposal, neighbour, unrelated = housing
    create_response(objective_id=objectives["isee"].id, text="Un ISEE regionale dal 2019.")
    html = client.get("/proposte").get_data(as_text=True)
    assert html.count("Con risposta</span>") == 1
    assert _listed(client, risposta="con") == {unrelated.id}
    assert _listed(client, risposta="senza") == {proposal.id, neighbour.id}


def test_a_card_shows_the_text_once(client, create_contribution):
    text = "Servono più educatori di strada nei quartieri periferici la sera."
    create_contribution(text=text)
    html = client.get("/proposte").get_data(as_text=True)
    assert html.count(text) == 1
