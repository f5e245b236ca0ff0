"""Oversized bodies are refused with 413 on every POST route, before anything is stored.

Text forms get at most MAX_FORM_MEMORY_SIZE (the proposal and engagement forms 64 KB), uploads
MAX_CONTENT_LENGTH. Each route is called as a role allowed to use it, with a valid CSRF token as in
production, so without the limit the request would reach the view.
"""

import pytest

from consult.config import from_environment
from consult.proposals.views import FORM_BODY_LIMIT
from tests.web.route_world import (
    build_world,
    client_as,
    csrf_token_for,
    route_url,
    routes,
    snapshot,
)
from tests.web.test_authorization_matrix import MATRIX, expectation, first_allowed_role

POST_ROUTES = sorted(key for key in MATRIX if key[0] == "POST")
SMALL_FORMS = ("proposals.", "engagement.")  # one proposal or comment is a few kilobytes
MESSAGE = "Il contenuto inviato è troppo grande."
UPLOAD_LIMIT = 1024 * 1024  # this module's MAX_CONTENT_LENGTH, to keep bodies small


@pytest.fixture
def limited_app(route_app):
    route_app.config.update(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=UPLOAD_LIMIT)
    yield route_app
    route_app.config.update(WTF_CSRF_ENABLED=False, MAX_CONTENT_LENGTH=5 * 1024 * 1024)


def test_production_defaults(tmp_path):
    config = from_environment(str(tmp_path))
    assert config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    assert config["MAX_FORM_MEMORY_SIZE"] == 500 * 1024


def test_every_post_route_is_checked(route_app):
    assert [key for key in routes(route_app) if key[0] == "POST"] == POST_ROUTES


def _call(app, method, endpoint):
    world = build_world(app)
    client = client_as(app, world, first_allowed_role(method, endpoint))
    token = csrf_token_for(app, client)
    url = route_url(app, endpoint, world.params, expectation(method, endpoint)[1])
    return client, token, url


def _refused(app, response, before) -> None:
    assert response.status_code == 413, response.status_code
    assert MESSAGE in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(("method", "endpoint"), POST_ROUTES)
def test_oversized_text_form_is_refused(limited_app, method, endpoint):
    app = limited_app
    client, token, url = _call(app, method, endpoint)
    limit = (
        FORM_BODY_LIMIT if endpoint.startswith(SMALL_FORMS) else app.config["MAX_FORM_MEMORY_SIZE"]
    )
    body = f"csrf_token={token}&text=".encode()
    before = snapshot(app)
    fits = client.post(
        url,
        data=body + b"x" * (limit - len(body)),
        content_type="application/x-www-form-urlencoded",
    )
    assert fits.status_code != 413, "a body just under the limit must get through"
    too_big = body + b"x" * (limit - len(body) + 1)
    if fits.status_code < 400:  # the accepted body may have changed something: start again
        client, token, url = _call(app, method, endpoint)
        body = f"csrf_token={token}&text=".encode()
        too_big = body + b"x" * (limit - len(body) + 1)
        before = snapshot(app)
    response = client.post(url, data=too_big, content_type="application/x-www-form-urlencoded")
    _refused(app, response, before)


@pytest.mark.parametrize(("method", "endpoint"), POST_ROUTES)
def test_oversized_upload_is_refused(limited_app, method, endpoint):
    app = limited_app
    client, token, url = _call(app, method, endpoint)
    before = snapshot(app)
    response = client.post(url, data=_multipart(token, b"x" * UPLOAD_LIMIT), content_type=MULTIPART)
    _refused(app, response, before)


MULTIPART = "multipart/form-data; boundary=consultboundary"


def _multipart(token: str, content: bytes) -> bytes:
    """A CSRF token and one file, encoded by hand (the test client would spool it to disk)."""
    part = '--consultboundary\r\nContent-Disposition: form-data; name="{}"{}\r\n\r\n'
    return (
        part.format("csrf_token", "").encode()
        + token.encode()
        + b"\r\n"
        + part.format("file", '; filename="grande.csv"').encode()
        + content
        + b"\r\n--consultboundary--\r\n"
    )
