"""Every route, every role: the exact answer each one gets. A new route without an entry fails.

Roles, in column order: anonymous, participant, moderator, a facilitator who does NOT run the
sample meeting, the meeting's own facilitator, planner, admin. `LOGIN` is a redirect to the login
page; a number is the exact status (a 302 elsewhere than the login page for numbers 302/303).
POSTs send an empty form: a role that gets in usually meets a validation error (422/400), which
proves it went past authorization without changing anything. Every refused request (LOGIN, 403)
must leave the database exactly as it was.
"""

import pytest
from flask.testing import FlaskClient

from consult.consultation_urls import SITE_HOME, is_scoped
from tests.web.route_world import (
    ROLES,
    build_world,
    client_as,
    route_url,
    routes,
    snapshot,
)

LOGIN = "login"


def everyone(status):
    return (status,) * 7


def members(status):
    return (LOGIN,) + (status,) * 6


def guests(status, members_status=302):
    """Login and registration: logged-in users are sent on (not to the login page)."""
    return (status,) + (members_status,) * 6


def facilitators(status):
    """Any facilitator (and admins): the meeting registry, templates."""
    return (LOGIN, 403, 403, status, status, 403, status)


def own_meeting(status):
    """Only the meeting's own facilitators and admins."""
    return (LOGIN, 403, 403, 403, status, 403, status)


def meeting_readers(status):
    """The meeting's own facilitators, admins and planners (who read what a meeting produced)."""
    return (LOGIN, 403, 403, 403, status, status, status)


def desk_staff(status):
    """The moderation desk: moderators, any facilitator (who sees their meetings' items), admins."""
    return (LOGIN, 403, status, status, status, 403, status)


def planners(status):
    return (LOGIN, 403, 403, 403, 403, status, status)


def admins(status):
    return (LOGIN, 403, 403, 403, 403, 403, status)


# (method, endpoint): expected per role, or (expected, {url parameter: sample key}) when a
# parameter needs another sample object than the one named like it.
MATRIX: dict[tuple[str, str], tuple] = {
    # public pages and participation
    ("GET", "public.home"): everyone(200),
    ("POST", "public.set_language"): everyone(400),
    ("GET", "statistics.index"): everyone(200),
    ("GET", "public_meetings.index"): everyone(200),
    ("GET", "public_meetings.detail"): everyone(200),
    ("POST", "public_meetings.register"): everyone(303),  # an empty form counts you in
    ("GET", "browse.index"): everyone(200),
    ("GET", "browse.detail"): everyone(200),
    ("GET", "proposals.new"): everyone(200),
    ("POST", "proposals.new"): everyone(422),
    ("POST", "proposals.validate_field"): everyone(400),
    ("GET", "similar.similar"): everyone(200),
    ("GET", "proposals.privacy"): everyone(200),
    ("POST", "engagement.support"): everyone(302),
    ("POST", "engagement.comment"): everyone(422),
    ("POST", "engagement.report_proposal"): everyone(422),
    ("POST", "engagement.report_comment"): everyone(422),
    # the old address of the reports queue: on to the moderation desk
    ("GET", "engagement.reports.queue"): everyone(301),
    # the moderation desk; an empty form names no item (422)
    ("GET", "desk.page"): desk_staff(200),
    ("POST", "desk.decide"): desk_staff(422),
    ("GET", "tracking.track"): everyone(200),
    # notifications: follow without an account, signed links (confirm, unsubscribe, preferences)
    ("GET", "notifications.follow"): (everyone(200), {"kind": "follow_kind"}),
    ("POST", "notifications.follow"): (everyone(422), {"kind": "follow_kind"}),
    ("GET", "notifications.confirm"): (everyone(200), {"token": "confirm_token"}),
    ("POST", "notifications.confirm"): (everyone(404), {"token": "confirm_token"}),
    ("GET", "notifications.unsubscribe"): (everyone(200), {"token": "unsubscribe_token"}),
    ("POST", "notifications.unsubscribe"): (everyone(200), {"token": "unsubscribe_token"}),
    ("GET", "notifications.preferences"): (everyone(200), {"token": "manage_token"}),
    ("POST", "notifications.preferences"): (everyone(200), {"token": "manage_token"}),
    ("GET", "tracking.receipt"): everyone(200),
    # the tracking link proves the proposal is yours: an account may attach it to its data
    ("POST", "tracking.attach"): members(303),
    ("GET", "objectives.detail"): (everyone(200), {"code": "objective_code"}),
    # live sessions: phones need no account; the projector is the meeting's
    ("GET", "live.join"): everyone(200),
    ("POST", "live.join"): everyone(422),
    ("GET", "live.session_form"): everyone(200),
    ("POST", "live.session_form"): everyone(422),
    ("GET", "live.qr_code"): everyone(200),
    ("GET", "live.projector"): own_meeting(200),
    ("GET", "live.projector_content"): own_meeting(200),
    ("GET", "live.projector_events"): own_meeting(200),
    # the phone in the room: no account; without its signed cookie nothing is stored
    ("GET", "live_phone.feed_events"): everyone(200),
    # (the sample's live item waits for moderation: not on the feed, so 404 for anyone)
    ("POST", "live_phone.support"): (everyone(404), {"contribution_id": "live_item"}),
    ("GET", "live_phone.ballot"): (everyone(200), {"round_id": "open_round"}),
    ("POST", "live_phone.ballot"): (everyone(422), {"round_id": "open_round"}),
    ("GET", "live_phone.poll"): (everyone(200), {"poll_id": "open_poll"}),
    ("POST", "live_phone.poll"): (everyone(422), {"poll_id": "open_poll"}),
    # accounts
    ("GET", "accounts.login"): guests(200),
    ("POST", "accounts.login"): guests(422),
    ("POST", "accounts.logout"): members(302),
    ("GET", "accounts.register"): guests(200),
    ("POST", "accounts.register"): guests(422),
    ("GET", "accounts.forgot_password"): everyone(200),
    ("POST", "accounts.forgot_password"): everyone(422),
    ("GET", "accounts.reset_password"): (everyone(200), {"token": "reset_token"}),
    ("POST", "accounts.reset_password"): (everyone(422), {"token": "reset_token"}),
    # confirming the address: the same answers for anyone, since the link alone is the proof
    ("GET", "accounts.resend_verification"): everyone(200),
    ("POST", "accounts.resend_verification"): everyone(422),
    ("GET", "accounts.verify_email"): (everyone(200), {"token": "verify_token"}),
    ("GET", "my_account.page"): members(200),
    ("POST", "my_account.update_profile"): members(422),
    ("POST", "my_account.change_password"): members(422),
    # members are logged out everywhere, then sent to log in again
    ("POST", "my_account.logout_everywhere"): everyone(LOGIN),
    ("GET", "my_account.download_data"): members(200),
    ("GET", "my_account.delete"): members(200),
    ("POST", "my_account.delete"): members(422),
    ("GET", "user_admin.index"): admins(200),
    ("POST", "user_admin.change_role"): admins(400),
    ("POST", "user_admin.change_active"): admins(400),
    # the administration of consultations (site-wide, outside any /c/<slug>/)
    ("GET", "admin.index"): admins(200),
    ("POST", "admin.set_default"): admins(422),  # an empty form chooses nothing
    ("GET", "admin.create"): admins(200),
    ("POST", "admin.create"): admins(422),
    ("POST", "admin.confirm"): admins(400),
    ("GET", "admin.edit"): (admins(200), {"slug": "consultation_slug"}),
    ("POST", "admin.edit"): (admins(422), {"slug": "consultation_slug"}),
    ("GET", "admin.phases_page"): (admins(200), {"slug": "consultation_slug"}),
    ("POST", "admin.phases_page"): (admins(303), {"slug": "consultation_slug"}),
    ("GET", "admin.objectives"): (admins(200), {"slug": "consultation_slug"}),
    ("POST", "admin.objectives"): (admins(404), {"slug": "consultation_slug"}),
    # meetings and live sessions, run by their own facilitators
    ("GET", "meetings.index"): facilitators(200),
    ("GET", "meetings.create"): facilitators(200),
    ("POST", "meetings.create"): facilitators(422),
    ("GET", "meetings.show"): own_meeting(200),
    ("GET", "meetings.edit"): own_meeting(200),
    ("POST", "meetings.edit"): own_meeting(422),
    ("POST", "meetings.open_meeting"): own_meeting(303),
    ("GET", "meetings.close"): own_meeting(200),
    ("POST", "meetings.close"): own_meeting(422),
    # minutes may name the people present: the meeting's facilitators, planners and admins only
    ("GET", "meetings.minutes_file"): meeting_readers(200),
    ("POST", "live_sessions.open_live_session"): own_meeting(303),
    ("GET", "live_sessions.live_session"): own_meeting(200),
    ("POST", "live_sessions.close_live_session"): own_meeting(303),
    ("POST", "live_rounds.switches"): own_meeting(303),
    ("POST", "live_rounds.open_round"): own_meeting(422),
    ("POST", "live_rounds.close_round"): (own_meeting(303), {"round_id": "open_round"}),
    ("GET", "live_rounds.export_round"): (own_meeting(200), {"round_id": "closed_round"}),
    ("POST", "live_rounds.open_poll"): own_meeting(422),
    ("POST", "live_rounds.close_poll"): (own_meeting(303), {"poll_id": "open_poll"}),
    ("GET", "live_rounds.export_poll"): (own_meeting(200), {"poll_id": "closed_poll"}),
    ("POST", "live_sessions.assign_group"): own_meeting(303),
    ("GET", "moderation.queue"): own_meeting(200),
    ("GET", "moderation.queue_events"): own_meeting(200),
    ("POST", "moderation.bulk"): own_meeting(303),
    ("POST", "moderation.act"): (own_meeting(303), {"contribution_id": "live_item"}),
    ("GET", "moderation.merge"): (own_meeting(200), {"contribution_id": "live_item"}),
    ("POST", "moderation.merge"): (own_meeting(422), {"contribution_id": "live_item"}),
    # fast entry, import, export
    ("GET", "entry.tools"): meeting_readers(200),
    ("GET", "entry.fast_entry"): own_meeting(200),
    ("POST", "entry.fast_entry"): own_meeting(422),
    ("POST", "entry.undo"): (own_meeting(302), {"contribution_id": "entered_item"}),
    ("GET", "imports.upload"): own_meeting(200),
    ("POST", "imports.upload"): own_meeting(422),
    # a kept upload belongs to whoever sent it: even an admin cannot open another's
    ("GET", "imports.mapping"): ((LOGIN, 403, 403, 403, 200, 403, 404), {"token": "import_token"}),
    ("POST", "imports.dry_run"): ((LOGIN, 403, 403, 403, 422, 403, 404), {"token": "import_token"}),
    ("POST", "imports.confirm"): ((LOGIN, 403, 403, 403, 400, 403, 404), {"token": "import_token"}),
    ("GET", "imports.status"): ((LOGIN, 403, 403, 403, 303, 403, 404), {"token": "import_token"}),
    ("GET", "imports.rejected_rows"): (
        (LOGIN, 403, 403, 403, 200, 403, 404),
        {"token": "import_token"},
    ),
    ("GET", "imports.template"): facilitators(200),
    ("GET", "exports.meeting_csv"): meeting_readers(200),
    ("GET", "exports.meeting_xlsx"): meeting_readers(200),
    # planning
    ("GET", "analysis.index"): planners(302),
    ("GET", "analysis.page"): planners(200),
    ("POST", "analysis.start"): planners(422),
    ("GET", "analysis.status"): planners(200),
    ("GET", "themes.index"): planners(200),
    ("GET", "themes.detail"): planners(200),
    ("GET", "themes.proposals"): planners(200),
    ("POST", "themes.rename"): planners(422),
    ("POST", "themes.set_status"): planners(422),
    ("POST", "themes.merge"): planners(422),
    ("POST", "themes.split"): planners(422),
    ("GET", "mapping.index"): planners(200),
    ("POST", "mapping.confirm_theme"): planners(422),
    ("POST", "mapping.confirm_contribution"): planners(422),
    ("GET", "coverage.matrix"): planners(200),
    ("GET", "responses.index"): planners(200),
    ("GET", "responses.create"): planners(200),
    ("POST", "responses.create"): planners(422),
    ("GET", "responses.edit"): planners(200),
    ("POST", "responses.edit"): planners(422),
    ("POST", "responses.publish"): planners(302),
    ("POST", "responses.unpublish"): planners(302),
    ("GET", "reports.report"): planners(200),
    ("GET", "reports.report_pdf"): planners(200),
    ("GET", "reports.export"): planners(200),
    # open data
    ("GET", "api.index"): everyone(200),
    ("GET", "api.consultation"): everyone(200),
    ("GET", "api.objectives"): everyone(200),
    ("GET", "api.territories"): everyone(200),
    ("GET", "api.contributions"): everyone(200),
    ("GET", "api.contribution"): everyone(200),
    ("GET", "api_accountability.themes"): everyone(200),
    ("GET", "api_accountability.responses"): everyone(200),
    ("GET", "api_accountability.objective"): (everyone(200), {"code": "objective_code"}),
    # co-planning: the sample's version 1 is in consultation (amended, commented), version 2 a
    # draft; tests/web/test_coplanning_access.py adds what a published version refuses (409)
    ("GET", "strategy.index"): everyone(200),
    ("GET", "strategy.version"): everyone(200),
    ("GET", "strategy.changes_page"): everyone(200),
    ("GET", "strategy.amend"): everyone(200),
    ("POST", "strategy.amend"): everyone(422),
    ("GET", "strategy.track"): (everyone(200), {"token": "amendment_token"}),
    ("GET", "api_strategy.versions_index"): everyone(200),
    ("GET", "api_strategy.version"): everyone(200),
    ("GET", "strategy_meetings.comment"): own_meeting(200),
    ("POST", "strategy_meetings.comment"): own_meeting(422),
    ("GET", "coplanning.dashboard"): planners(200),
    ("POST", "coplanning.start_draft"): planners(303),
    ("GET", "coplanning.workspace"): planners(200),
    ("GET", "coplanning.edit_section"): (planners(200), {"section_id": "draft_section"}),
    ("POST", "coplanning.edit_section"): (planners(422), {"section_id": "draft_section"}),
    ("POST", "coplanning.publish"): planners(303),
    ("GET", "coplanning.review"): (planners(200), {"version_id": "published_id"}),
    ("POST", "coplanning.decide"): planners(422),
}


def expectation(method: str, endpoint: str) -> tuple[tuple, dict]:
    """The expected answers per role and the URL parameter renames of one route."""
    entry = MATRIX[(method, endpoint)]
    return entry if isinstance(entry[1], dict) else (entry, {})


def first_allowed_role(method: str, endpoint: str) -> str:
    """The least privileged role that gets past authorization (for CSRF and size checks)."""
    expected, _ = expectation(method, endpoint)
    return next(
        role
        for role, got in zip(ROLES, expected, strict=True)
        if got != 403 and (got != LOGIN or role != "anonymous")  # members may be sent to log in
    )


def test_every_route_has_an_entry(route_app):
    missing = sorted(set(routes(route_app)) - set(MATRIX))
    assert missing == [], f"add these routes to MATRIX with their expected answers: {missing}"
    stale = sorted(set(MATRIX) - set(routes(route_app)))
    assert stale == [], f"these MATRIX entries name no route: {stale}"


def _outcome(response):
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/account/accedi" in location:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "endpoint"), sorted(MATRIX))
def test_access(route_app, role, method, endpoint):
    expected, overrides = expectation(method, endpoint)
    world = build_world(route_app)
    url = route_url(route_app, endpoint, world.params, overrides)
    client = client_as(route_app, world, role)
    before = snapshot(route_app)
    response = client.open(url, method=method, data={}, buffered=False)
    streaming = response.mimetype == "text/event-stream"  # never ends: do not read it
    body = b"" if streaming else response.get_data()
    response.close()
    outcome = _outcome(response)
    assert outcome == expected[ROLES.index(role)], f"{method} {url} as {role}"
    if outcome == 403:
        assert b"Non hai i permessi per vedere questa pagina." in body
    if outcome == 403 or (outcome == LOGIN and role == "anonymous"):
        assert snapshot(route_app) == before, f"refused {method} {url} changed the database"


@pytest.mark.parametrize(("method", "endpoint"), sorted(k for k in MATRIX if k[0] == "GET"))
def test_old_addresses_and_prefixes(route_app, method, endpoint):
    """A consultation's page at its old unprefixed address redirects to /c/<slug>/...; a
    site-wide page does not exist under a consultation's prefix."""
    _expected, overrides = expectation(method, endpoint)
    world = build_world(route_app)
    url = route_url(route_app, endpoint, world.params, overrides)
    plain = FlaskClient(route_app)  # asks the path as written
    prefix = f"/c/{world.params['consultation_slug']}"
    if endpoint == SITE_HOME:
        assert url == f"{prefix}/" and plain.get("/").status_code == 200
    elif is_scoped(endpoint):
        assert url.startswith(prefix + "/"), url
        response = plain.get(url.removeprefix(prefix), buffered=False)
        response.close()
        assert response.status_code == 302
        assert response.headers["Location"] == url
    else:
        assert not url.startswith("/c/"), url
        response = plain.get(prefix + url, buffered=False)
        response.close()
        assert response.status_code == 404
