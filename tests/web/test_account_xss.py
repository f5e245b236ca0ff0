"""User-written text comes back escaped: pages, the admin list and the JSON export."""

import json

import pytest
from markupsafe import escape
from sqlmodel import select

from consult.accounts.models import User

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">clic</a>',
    "{{ 7*7 }}<b>grassetto</b>",
    "</textarea><iframe src=//evil.example>",
    "<style>body{display:none}</style>",
    "&lt;script&gt;già escapato&lt;/script&gt;",
]
INJECTED_TAGS = ("<script>alert", "<img", "<svg", "<iframe", "<style>body", '<a href="javascript')


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_display_name_is_escaped_everywhere(app, client, db, payload, create_user):
    response = client.post(
        "/account/registrati",
        data={
            "email": "xss@example.org",
            "display_name": payload,
            "password": "una frase lunga e facile",
            "privacy": "y",
        },
    )
    assert response.status_code == 200
    assert db.exec(select(User)).one().display_name == payload  # stored as typed
    client.post(
        "/account/accedi", data={"email": "xss@example.org", "password": "una frase lunga e facile"}
    )
    page = client.get("/account").get_data(as_text=True)
    assert payload not in page and str(escape(payload)) in page
    assert not any(tag in page for tag in INJECTED_TAGS)

    export = client.get("/account/i-miei-dati.json")
    raw = export.get_data(as_text=True)
    assert "<" not in raw and ">" not in raw
    assert json.loads(raw)["account"]["display_name"] == payload
    assert export.headers["X-Content-Type-Options"] == "nosniff"

    create_user(role="admin", email="admin@example.org")
    admin = app.test_client()
    admin.post(
        "/account/accedi", data={"email": "admin@example.org", "password": "secret-password"}
    )
    listing = admin.get("/admin/utenti").get_data(as_text=True)
    assert str(escape(payload)) in listing and payload not in listing
    assert not any(tag in listing for tag in INJECTED_TAGS)


def test_validation_errors_echo_the_typed_text_escaped(client):
    payload = "<script>alert(1)</script>"
    response = client.post(
        "/account/registrati", data={"email": payload, "display_name": payload, "password": "x"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert payload not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
