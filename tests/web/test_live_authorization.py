"""Only a meeting's own facilitators and admins run, moderate and project it: every route."""

import pytest

from consult.models import Contribution

ROLES = ("anonymous", "participant", "planner", "other_facilitator", "facilitator", "admin")
ALLOWED = {"facilitator", "admin"}

# (method, url template) of every route that runs one meeting or one of its live sessions.
MEETING_ROUTES = [
    ("GET", "/facilitatore/incontri/{meeting}"),
    ("GET", "/facilitatore/incontri/{meeting}/modifica"),
    ("POST", "/facilitatore/incontri/{meeting}/modifica"),
    ("POST", "/facilitatore/incontri/{meeting}/apri"),
    ("GET", "/facilitatore/incontri/{meeting}/chiudi"),
    ("POST", "/facilitatore/incontri/{meeting}/chiudi"),
    ("POST", "/facilitatore/incontri/{meeting}/sessioni"),
    ("GET", "/facilitatore/sessioni/{session}"),
    ("POST", "/facilitatore/sessioni/{session}/chiudi"),
    ("GET", "/facilitatore/sessioni/{session}/moderazione"),
    ("GET", "/facilitatore/sessioni/{session}/moderazione/eventi"),
    ("POST", "/facilitatore/sessioni/{session}/moderazione/blocco"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/approva"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/rifiuta"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/correggi"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/evidenzia"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/discussa"),
    ("GET", "/facilitatore/sessioni/{session}/proposte/{item}/unisci"),
    ("POST", "/facilitatore/sessioni/{session}/proposte/{item}/unisci"),
    ("GET", "/live/{code}/proiettore"),
    ("GET", "/live/{code}/proiettore/contenuto"),
    ("GET", "/live/{code}/proiettore/eventi"),
]
# Routes of the facilitator area that are not about one meeting: any facilitator.
AREA_ROUTES = [
    ("GET", "/facilitatore/incontri"),
    ("GET", "/facilitatore/incontri/nuovo"),
    ("POST", "/facilitatore/incontri/nuovo"),
]


@pytest.fixture
def world(db, create_user, create_live_session, create_contribution):
    facilitator = create_user(role="facilitator")
    live = create_live_session(facilitators=[facilitator], code="AUTH23")
    item = create_contribution(
        status="pending", live_session_id=live.id, meeting_id=live.meeting_id, channel="live"
    )
    users = {
        "participant": create_user(role="participant"),
        "planner": create_user(role="planner"),
        "other_facilitator": create_user(role="facilitator"),
        "facilitator": facilitator,
        "admin": create_user(role="admin"),
    }
    return {"live": live, "item": item, "users": users}


def _call(client, method, url):
    response = client.open(url, method=method, buffered=False)
    status, location = response.status_code, response.headers.get("Location", "")
    response.close()  # SSE routes stream forever: stop before reading
    return status, location


def _as(auth, world, role):
    if role != "anonymous":
        assert auth.login(world["users"][role].email).status_code == 302


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template"), MEETING_ROUTES)
def test_meeting_routes_by_role(client, auth, world, role, method, template):
    _as(auth, world, role)
    live, item = world["live"], world["item"]
    url = template.format(meeting=live.meeting_id, session=live.id, item=item.id, code=live.code)
    status, location = _call(client, method, url)
    if role == "anonymous":
        assert status == 302 and "/account/accedi" in location
    elif role in ALLOWED:
        assert status in (200, 303, 422), (status, location)
    else:
        assert status == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "template"), AREA_ROUTES)
def test_facilitator_area_routes_by_role(client, auth, world, role, method, template):
    _as(auth, world, role)
    status, location = _call(client, method, template)
    if role == "anonymous":
        assert status == 302 and "/account/accedi" in location
    elif role in ALLOWED | {"other_facilitator"}:
        assert status in (200, 422)
    else:
        assert status == 403


def test_refused_moderation_changes_nothing(client, auth, db, world):
    _as(auth, world, "other_facilitator")
    item = world["item"]
    url = f"/facilitatore/sessioni/{world['live'].id}/proposte/{item.id}/approva"
    assert client.post(url).status_code == 403
    db.refresh(item)
    assert db.get(Contribution, item.id).status == "pending"


def test_an_item_of_another_session_is_not_found(client, auth, db, world, create_contribution):
    _as(auth, world, "facilitator")
    stranger = create_contribution(status="pending")
    url = f"/facilitatore/sessioni/{world['live'].id}/proposte/{stranger.id}/approva"
    assert client.post(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_uploaded_minutes_are_for_staff_only(client, auth, db, world, role):
    from consult.models import Meeting

    meeting = db.get(Meeting, world["live"].meeting_id)
    meeting.minutes_file = "missing.pdf"
    db.add(meeting)
    db.commit()
    _as(auth, world, role)
    status, location = _call(client, "GET", f"/facilitatore/incontri/{meeting.id}/verbale")
    if role == "anonymous":
        assert status == 302 and "/account/accedi" in location
    elif role == "participant":
        assert status == 403
    else:
        assert status == 404  # allowed, and the file is not on disk
