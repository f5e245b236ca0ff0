"""Who may use each account and user-administration route (a new route without a row fails)."""

import pytest

ROLES = ("anonymous", "participant", "facilitator", "planner", "admin")
BLUEPRINTS = ("accounts.", "my_account.", "user_admin.")

# (endpoint, method, path, form data, expected status for anonymous, participant, facilitator,
#  planner, admin). "{target}" is another participant's id. Invalid forms answer 422 once the
# user is allowed in, so the matrix changes nothing.
MATRIX = [
    ("accounts.login", "GET", "/account/accedi", None, (200, 302, 302, 302, 302)),
    ("accounts.login", "POST", "/account/accedi", {}, (422, 302, 302, 302, 302)),
    ("accounts.logout", "POST", "/account/esci", {}, (302, 302, 302, 302, 302)),
    ("accounts.register", "GET", "/account/registrati", None, (200, 302, 302, 302, 302)),
    ("accounts.register", "POST", "/account/registrati", {}, (422, 302, 302, 302, 302)),
    ("accounts.forgot_password", "GET", "/account/password-dimenticata", None, (200,) * 5),
    ("accounts.forgot_password", "POST", "/account/password-dimenticata", {}, (422,) * 5),
    ("accounts.reset_password", "GET", "/account/reimposta/x.y.z", None, (400,) * 5),
    ("accounts.reset_password", "POST", "/account/reimposta/x.y.z", {}, (400,) * 5),
    ("my_account.page", "GET", "/account", None, (302, 200, 200, 200, 200)),
    ("my_account.update_profile", "POST", "/account/profilo", {}, (302, 422, 422, 422, 422)),
    ("my_account.change_password", "POST", "/account/password", {}, (302, 422, 422, 422, 422)),
    ("my_account.logout_everywhere", "POST", "/account/esci-ovunque", {}, (302,) * 5),
    ("my_account.download_data", "GET", "/account/i-miei-dati.json", None,
     (302, 200, 200, 200, 200)),
    ("my_account.delete", "GET", "/account/elimina", None, (302, 200, 200, 200, 200)),
    ("my_account.delete", "POST", "/account/elimina", {}, (302, 422, 422, 422, 422)),
    ("user_admin.index", "GET", "/admin/utenti", None, (302, 403, 403, 403, 200)),
    ("user_admin.change_role", "POST", "/admin/utenti/{target}/ruolo", {"role": "planner"},
     (302, 403, 403, 403, 303)),
    ("user_admin.change_active", "POST", "/admin/utenti/{target}/attivo", {"active": "0"},
     (302, 403, 403, 403, 303)),
]  # fmt: skip


def test_every_route_has_a_row(app):
    routed = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(BLUEPRINTS)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed == {(endpoint, method) for endpoint, method, *_ in MATRIX}


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint, method, path, data, expected", MATRIX)
def test_access(client, auth, create_user, role_index, role, endpoint, method, path, data,
                expected):  # fmt: skip
    target = create_user(email="target@example.org")
    if role != "anonymous":
        create_user(role=role, email=f"{role}@example.org")
        assert auth.login(f"{role}@example.org").status_code == 302
    url = path.format(target=target.id)
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected[role_index], (role, method, url)
    if (
        role == "anonymous"
        and response.status_code == 302
        and endpoint.startswith(("my_account.", "user_admin."))
    ):
        assert "/account/accedi" in response.headers["Location"]
