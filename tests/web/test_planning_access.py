"""Every planning route for every role: anonymous log in, participants and facilitators 403."""

import pytest
from sqlmodel import select

from consult.models import AnalysisRun, Contribution, Theme

GET_ROUTES = (
    "/pianificazione/",
    "/pianificazione/analisi",
    "/pianificazione/analisi/{run}/stato",
    "/pianificazione/temi",
    "/pianificazione/temi/{key}",
    "/pianificazione/temi/{key}/proposte",
    "/pianificazione/mappatura",
)
POST_ROUTES = (
    "/pianificazione/analisi",
    "/pianificazione/temi/{key}/nome",
    "/pianificazione/temi/{key}/stato",
    "/pianificazione/temi/{key}/unisci",
    "/pianificazione/temi/{key}/dividi",
    "/pianificazione/mappatura/tema/{key}",
    "/pianificazione/mappatura/proposta/{proposal}",
)
ROUTES = [("get", r) for r in GET_ROUTES] + [("post", r) for r in POST_ROUTES]


@pytest.fixture
def arranged(db, create_contribution, create_theme_run):
    proposals = [create_contribution(f"Proposta {i} sugli asili nido comunali.") for i in range(2)]
    run = create_theme_run({"Nidi": proposals})
    theme = db.exec(select(Theme)).one()
    return {"run": run.id, "key": theme.stable_key, "proposal": proposals[0].id}


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_anonymous_users_are_sent_to_log_in(client, arranged, method, route):
    response = getattr(client, method)(route.format(**arranged))
    assert response.status_code == 302
    assert "/account/accedi" in response.headers["Location"]


@pytest.mark.parametrize("role", ["participant", "facilitator"])
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_participants_and_facilitators_are_refused(
    client, auth, create_user, arranged, role, method, route
):
    auth.login(create_user(role).email)
    response = getattr(client, method)(route.format(**arranged))
    assert response.status_code == 403
    assert "Non hai i permessi" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["planner", "admin"])
@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_planners_and_admins_are_let_in(
    client, auth, db, create_user, arranged, role, method, route
):
    auth.login(create_user(role).email)
    response = getattr(client, method)(route.format(**arranged))
    # Empty edit forms are refused as invalid (422); pages and the start itself go through.
    expected = {"get": {200, 302}, "post": {303, 422}}[method]
    assert response.status_code in expected
    if method == "get" and route == "/pianificazione/":
        assert response.headers["Location"].endswith("/pianificazione/analisi")


def test_the_nav_shows_planning_to_planners_only(client, auth, create_user, consultation):
    auth.login(create_user("participant").email)
    assert "Pianificazione" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user("planner").email)
    assert "Pianificazione" in client.get("/").get_data(as_text=True)


def test_a_theme_of_another_run_or_a_proposal_of_nowhere_is_not_found(
    client, auth, db, create_user, arranged, create_theme_run, create_contribution
):
    auth.login(create_user("planner").email)
    create_theme_run({"Casa": [create_contribution("Affitti troppo alti per i giovani.")]})
    assert client.get(f"/pianificazione/temi/{arranged['key']}").status_code == 404
    assert client.get("/pianificazione/analisi/999/stato").status_code == 404
    response = client.post("/pianificazione/mappatura/proposta/999", data={"objective": "x"})
    assert response.status_code == 404
    assert db.exec(select(AnalysisRun)).all() and db.exec(select(Contribution)).all()
