"""Every POST route refuses a missing or foreign CSRF token with 400 and stores nothing.

The routes come from the url_map, so a new POST route is checked without anyone listing it; each
is called as the least privileged role that may use it (from the authorization matrix), so the
refusal is CSRF's and not a missing permission. The same request with the right token gets the
matrix's answer: the test tells the two apart and would fail without the protection.
"""

import pytest

from tests.web.route_world import (
    ROLES,
    build_world,
    client_as,
    csrf_token_for,
    route_url,
    routes,
    snapshot,
)
from tests.web.test_authorization_matrix import LOGIN, MATRIX, expectation, first_allowed_role

# RFC 8058 one-click unsubscribe: a mail provider POSTs without any session, so the signed
# token in the address is the proof (test_one_click_unsubscribe_needs_its_signed_token).
CSRF_EXEMPT = {("POST", "notifications.unsubscribe")}
POST_ROUTES = sorted(key for key in MATRIX if key[0] == "POST")
CHECKED_ROUTES = [key for key in POST_ROUTES if key not in CSRF_EXEMPT]
GENERIC = "La sessione è scaduta o il modulo non è valido: ricarica la pagina e riprova."
# The proposal form keeps what was typed and says so in its own words.
OWN_MESSAGE = {
    "proposals.new": "La sessione è scaduta: controlla i dati e premi di nuovo",
    "proposals.validate_field": "La sessione è scaduta: controlla i dati e premi di nuovo",
    "live.session_form": "La sessione è scaduta: controlla il testo e premi di nuovo",
}


@pytest.fixture
def csrf_route_app(route_app):
    route_app.config["WTF_CSRF_ENABLED"] = True
    yield route_app
    route_app.config["WTF_CSRF_ENABLED"] = False


def test_every_post_route_is_checked(route_app):
    assert [key for key in routes(route_app) if key[0] == "POST"] == POST_ROUTES


@pytest.mark.parametrize("attack", ["missing", "garbage", "foreign"])
@pytest.mark.parametrize(("method", "endpoint"), CHECKED_ROUTES)
def test_post_without_the_right_token_is_refused(csrf_route_app, method, endpoint, attack):
    app = csrf_route_app
    world = build_world(app)
    role = first_allowed_role(method, endpoint)
    client = client_as(app, world, role)
    csrf_token_for(app, client)  # the victim's session holds a token...
    foreign = csrf_token_for(app, app.test_client(), "b" * 40)  # ...the attacker sends theirs
    token = {"missing": None, "garbage": "not-a-token", "foreign": foreign}[attack]
    data = {} if token is None else {"csrf_token": token}
    headers = {} if token is None else {"X-CSRFToken": token}
    url = route_url(app, endpoint, world.params, expectation(method, endpoint)[1])
    before = snapshot(app)
    response = client.post(url, data=data, headers=headers)
    assert response.status_code == 400, f"{url} as {role} with a {attack} token"
    assert OWN_MESSAGE.get(endpoint, GENERIC) in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(("method", "endpoint"), POST_ROUTES)
def test_the_right_token_gets_the_usual_answer(csrf_route_app, method, endpoint):
    app = csrf_route_app
    world = build_world(app)
    role = first_allowed_role(method, endpoint)
    client = client_as(app, world, role)
    token = csrf_token_for(app, client)
    expected, overrides = expectation(method, endpoint)
    url = route_url(app, endpoint, world.params, overrides)
    response = client.post(url, data={"csrf_token": token})
    location = response.headers.get("Location", "")
    outcome = LOGIN if "/account/accedi" in location else response.status_code
    assert outcome == expected[ROLES.index(role)], f"{url} as {role} with the right token"


@pytest.mark.parametrize("token", ["not-a-token", "a" * 60, "x.y.z"])
def test_one_click_unsubscribe_needs_its_signed_token(csrf_route_app, token):
    app = csrf_route_app
    build_world(app)
    before = snapshot(app)
    response = app.test_client().post(
        f"/notifiche/disiscrizione/{token}", data={"List-Unsubscribe": "One-Click"}
    )
    assert 400 <= response.status_code < 500
    assert snapshot(app) == before
