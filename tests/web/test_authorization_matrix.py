"""Every route, every role: who may use it. A new route without an entry here fails the suite.

`ALLOW` means the role gets past authorization (any answer but 401/403 or a redirect to the
login page); `LOGIN` means an anonymous visitor is sent to log in; `DENY` means 403.
"""

import pytest
from flask import url_for

ROLES = ("anonymous", "participant", "facilitator", "planner", "admin")
ALLOW, LOGIN, DENY = "allow", "login", "deny"

PUBLIC = dict.fromkeys(ROLES, ALLOW)
LOGGED_IN = {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], ALLOW)}
STAFF_PLANNER = {
    "anonymous": LOGIN,
    "participant": DENY,
    "facilitator": DENY,
    "planner": ALLOW,
    "admin": ALLOW,
}
ADMIN_ONLY = {
    "anonymous": LOGIN,
    "participant": DENY,
    "facilitator": DENY,
    "planner": DENY,
    "admin": ALLOW,
}

# (method, endpoint): (url parameters from the `sample` fixture, expected per role)
MATRIX: dict[tuple[str, str], tuple[dict, dict]] = {
    ("GET", "public.home"): ({}, PUBLIC),
    ("POST", "public.set_language"): ({}, PUBLIC),
    ("GET", "accounts.login"): ({}, PUBLIC),
    ("POST", "accounts.login"): ({}, PUBLIC),
    ("POST", "accounts.logout"): ({}, LOGGED_IN),
    ("GET", "api.index"): ({}, PUBLIC),
    ("GET", "api.consultation"): ({}, PUBLIC),
    ("GET", "api.objectives"): ({}, PUBLIC),
    ("GET", "api.territories"): ({}, PUBLIC),
    ("GET", "api.contributions"): ({}, PUBLIC),
}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule.endpoint


def test_every_route_has_an_entry(app):
    missing = sorted(set(_routes(app)) - set(MATRIX))
    assert missing == [], f"add these routes to MATRIX with their expected access: {missing}"
    stale = sorted(set(MATRIX) - set(_routes(app)))
    assert stale == [], f"these MATRIX entries name no route: {stale}"


@pytest.fixture
def sample(consultation, create_contribution):
    """Objects the parametrised routes point at."""
    contribution = create_contribution()
    return {"contribution_id": contribution.id, "token": contribution.tracking_token}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "endpoint"), sorted(MATRIX))
def test_access(app, client, auth, create_user, sample, role, method, endpoint):
    params, expected = MATRIX[(method, endpoint)]
    if role != "anonymous":
        user = create_user(role=role)
        assert auth.login(user.email).status_code == 302
    with app.test_request_context():
        url = url_for(endpoint, **{name: sample[key] for name, key in params.items()})
    response = client.open(url, method=method, data={})
    login_url = "/account/accedi"
    redirected_to_login = response.status_code == 302 and login_url in response.headers.get(
        "Location", ""
    )
    outcome = (
        LOGIN if redirected_to_login else DENY if response.status_code in (401, 403) else ALLOW
    )
    assert outcome == expected[role], f"{method} {url} as {role}: {response.status_code}"
