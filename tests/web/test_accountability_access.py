"""Every planners' route, every role: anonymous logs in, participants and facilitators are
refused, planners and admins get in; the public pages and the API are open to all."""

import pytest

PLANNER_GETS = [
    "/pianificazione/copertura",
    "/pianificazione/copertura?vista=canali",
    "/pianificazione/risposte/",
    "/pianificazione/risposte/nuova",
    "/pianificazione/risposte/{response}/modifica",
    "/pianificazione/esporta.csv",
    "/pianificazione/esporta.xlsx",
    "/pianificazione/esporta.json",
    "/pianificazione/rapporto",
]
PLANNER_POSTS = [
    "/pianificazione/risposte/nuova",
    "/pianificazione/risposte/{response}/modifica",
    "/pianificazione/risposte/{response}/pubblica",
    "/pianificazione/risposte/{response}/ritira",
]
PUBLIC_GETS = [
    "/obiettivi/isee",
    "/obiettivi/fuori-strategia",
    "/api/v1/themes",
    "/api/v1/responses",
    "/api/v1/objectives/isee",
]


@pytest.fixture
def response_id(create_response, objectives):
    return create_response(objective_id=objectives["isee"].id, published=False).id


def _login_as(role, create_user, auth):
    if role != "anonymous":
        auth.login(create_user(role=role).email)


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator", "planner", "admin"])
@pytest.mark.parametrize("path", PLANNER_GETS)
def test_planner_pages_by_role(client, auth, create_user, response_id, role, path):
    _login_as(role, create_user, auth)
    response = client.get(path.format(response=response_id))
    expected = {"anonymous": 302, "participant": 403, "facilitator": 403}.get(role, 200)
    assert response.status_code == expected
    if role == "anonymous":
        assert "/account/accedi" in response.headers["Location"]


@pytest.mark.parametrize("role", ["anonymous", "participant", "facilitator"])
@pytest.mark.parametrize("path", PLANNER_POSTS)
def test_planner_actions_refused_and_nothing_changes(
    client, auth, create_user, db, response_id, role, path
):
    from sqlmodel import func, select

    from consult.models import AuditLog, Response

    _login_as(role, create_user, auth)
    response = client.post(
        path.format(response=response_id),
        data={"objective": "isee", "status": "attuata", "text": "Intruso"},
    )
    assert response.status_code == (302 if role == "anonymous" else 403)
    stored = db.get(Response, response_id)
    db.refresh(stored)
    assert stored.text != "Intruso" and stored.published_at is None
    assert db.exec(select(func.count()).select_from(AuditLog)).one() == 0


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_planner_actions_allowed(client, auth, create_user, response_id, role):
    _login_as(role, create_user, auth)
    assert client.post(f"/pianificazione/risposte/{response_id}/pubblica").status_code == 302
    assert client.post(f"/pianificazione/risposte/{response_id}/ritira").status_code == 302


@pytest.mark.parametrize("role", ["anonymous", "participant", "planner"])
@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_public_pages_open_to_everyone(client, auth, create_user, consultation, role, path):
    _login_as(role, create_user, auth)
    assert client.get(path).status_code == 200


def test_planner_nav_only_for_planners(client, auth, create_user, consultation):
    assert "/pianificazione/copertura" not in client.get("/").get_data(as_text=True)
    auth.login(create_user(role="facilitator").email)
    assert "/pianificazione/copertura" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(create_user(role="planner").email)
    assert "/pianificazione/copertura" in client.get("/").get_data(as_text=True)
