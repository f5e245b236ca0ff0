"""What a published strategy version refuses, whoever asks: edits and a second publication
answer 409 to planners (only they get that far) and change nothing. Every other co-planning route
x role is in the authorization matrix, on route_world's strategy (version 1 in consultation,
version 2 drafted)."""

import pytest

from tests.web.route_world import ROLES, build_world, client_as, route_url, snapshot
from tests.web.test_authorization_matrix import MATRIX, _outcome, planners

LOCKED_ROUTES = {
    ("GET", "coplanning.edit_section"): (planners(409), {"section_id": "section_id"}),
    ("POST", "coplanning.edit_section"): (planners(409), {"section_id": "section_id"}),
    ("POST", "coplanning.publish"): (planners(409), {"version_id": "published_id"}),
}


def test_every_coplanning_route_is_in_the_matrix_with_a_real_answer(route_app):
    from tests.web.route_world import routes

    mine = {key for key in routes(route_app) if key[1].split(".")[0] in {
        "strategy", "strategy_meetings", "coplanning", "api_strategy"}}  # fmt: skip
    assert mine <= set(MATRIX)
    for key in mine:
        entry = MATRIX[key]
        expected = entry[0] if isinstance(entry[1], dict) else entry
        assert 404 not in expected, f"{key}: the sample's strategy should make it answer"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "endpoint"), sorted(LOCKED_ROUTES))
def test_a_published_version_refuses_changes(route_app, role, method, endpoint):
    expected, renames = LOCKED_ROUTES[(method, endpoint)]
    world = build_world(route_app)
    url = route_url(route_app, endpoint, world.params, renames)
    client = client_as(route_app, world, role)
    before = snapshot(route_app)
    response = client.open(url, method=method, data={})
    outcome = _outcome(response)
    assert outcome == expected[ROLES.index(role)], f"{method} {url} as {role}"
    if outcome != 303:
        assert snapshot(route_app) == before, f"refused {method} {url} changed the database"
