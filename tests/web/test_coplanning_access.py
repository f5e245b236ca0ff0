"""Every co-planning route x role on a real strategy: version 1 in consultation with a pending
amendment, version 2 drafted. Refused requests leave the database exactly as it was."""

import pytest
from sqlmodel import Session, select

from consult.coplanning import inputs, versions
from consult.framework.models import Consultation
from tests.web.route_world import ROLES, build_world, client_as, route_url, snapshot
from tests.web.test_authorization_matrix import LOGIN, _outcome, everyone, own_meeting, planners

# endpoint and method -> expected answers per role and the sample each URL parameter takes
ROUTES = {
    ("GET", "strategy.index"): (everyone(200), {}),
    ("GET", "strategy.version"): (everyone(200), {"number": "published_number"}),
    ("GET", "strategy.changes_page"): (everyone(200), {"number": "published_number"}),
    ("GET", "strategy.amend"): (everyone(200), {"section_id": "published_section"}),
    ("POST", "strategy.amend"): (everyone(422), {"section_id": "published_section"}),
    ("GET", "strategy.track"): (everyone(200), {"token": "amendment_token"}),
    ("GET", "api_strategy.versions_index"): (everyone(200), {}),
    ("GET", "api_strategy.version"): (everyone(200), {"number": "published_number"}),
    ("GET", "strategy_meetings.comment"): (own_meeting(200), {}),
    ("POST", "strategy_meetings.comment"): (own_meeting(422), {}),
    ("GET", "coplanning.dashboard"): (planners(200), {}),
    ("POST", "coplanning.start_draft"): (planners(303), {}),
    ("GET", "coplanning.workspace"): (planners(200), {"version_id": "draft_id"}),
    ("GET", "coplanning.edit_section"): (planners(200), {"section_id": "draft_section"}),
    ("POST", "coplanning.edit_section"): (planners(422), {"section_id": "draft_section"}),
    ("GET", "coplanning.review"): (planners(200), {"version_id": "published_id"}),
    ("POST", "coplanning.decide"): (planners(422), {"amendment_id": "amendment_id"}),
    ("POST", "coplanning.publish"): (planners(303), {"version_id": "draft_id"}),
}
# A published version refuses edits whoever asks; only planners get that far.
LOCKED_ROUTES = {
    ("GET", "coplanning.edit_section"): (planners(409), {"section_id": "published_section"}),
    ("POST", "coplanning.edit_section"): (planners(409), {"section_id": "published_section"}),
    ("POST", "coplanning.publish"): (planners(409), {"version_id": "published_id"}),
}


def _strategy(app) -> dict:
    """Version 1 in consultation with one pending amendment, and the draft of version 2."""
    with Session(app.extensions["consult.engine"], expire_on_commit=False) as db:
        consultation = db.exec(select(Consultation)).one()
        first = versions.start_draft(db, consultation, actor_id=None)
        versions.publish(db, first, note="", approve=False, actor_id=None)
        section = versions.sections(db, first.id)[0]
        amendment = inputs.propose_amendment(
            db, section, text="Un testo nuovo per la premessa.", author_id=None
        )
        draft = versions.start_draft(db, consultation, actor_id=None)
        db.commit()
        return {
            "published_number": first.number,
            "published_id": first.id,
            "published_section": section.id,
            "amendment_id": amendment.id,
            "amendment_token": amendment.tracking_token,
            "draft_id": draft.id,
            "draft_section": versions.sections(db, draft.id)[0].id,
        }


def test_every_coplanning_route_is_covered(route_app):
    from tests.web.route_world import routes

    mine = {key for key in routes(route_app) if key[1].split(".")[0] in {
        "strategy", "strategy_meetings", "coplanning", "api_strategy"}}  # fmt: skip
    assert mine == set(ROUTES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "endpoint", "table"),
    [(*key, "routes") for key in sorted(ROUTES)]
    + [(*key, "locked") for key in sorted(LOCKED_ROUTES)],
)
def test_access_on_a_real_strategy(route_app, role, method, endpoint, table):
    expected, renames = (ROUTES if table == "routes" else LOCKED_ROUTES)[(method, endpoint)]
    world = build_world(route_app)
    world.params.update(_strategy(route_app))
    url = route_url(route_app, endpoint, world.params, renames)
    client = client_as(route_app, world, role)
    before = snapshot(route_app)
    response = client.open(url, method=method, data={})
    outcome = _outcome(response)
    assert outcome == expected[ROLES.index(role)], f"{method} {url} as {role}"
    if outcome in (403, 409, 422) or (outcome == LOGIN and role == "anonymous"):
        assert snapshot(route_app) == before, f"refused {method} {url} changed the database"
