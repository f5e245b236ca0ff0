"""Trust findings on live sessions: a forged phone identity, a token that expires mid-meeting."""

import re

import pytest
from sqlmodel import func, select

from consult.proposals.models import Contribution

TEXT = "Servono più educatori di strada nei quartieri periferici."


def _key(page: str) -> str:
    return re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)


def _stored(db) -> int:
    return db.exec(select(func.count()).select_from(Contribution)).one()


@pytest.mark.rate_limited
def test_rewriting_the_join_cookie_does_not_escape_the_per_phone_limit(
    app, db, create_live_session
):
    """Finding 3: 40 of 40 were accepted right after a 429 by rewriting the unsigned cookie."""
    live = create_live_session()
    client = app.test_client()
    page = client.get(f"/live/{live.code}").get_data(as_text=True)
    data = {"text": TEXT, "territory": "1", "consent": "y", "idempotency_key": _key(page)}
    for index in range(20):
        data["idempotency_key"] = f"{'k' * 20}{index:04d}"
        assert client.post(f"/live/{live.code}", data=data).status_code == 303
    assert client.post(f"/live/{live.code}", data=data).status_code == 429
    accepted = 0
    for index in range(10):
        client.set_cookie("live_join", f"forged-{index}")
        data["idempotency_key"] = f"{'f' * 20}{index:04d}"
        accepted += client.post(f"/live/{live.code}", data=data).status_code == 303
    assert accepted == 0
    assert _stored(db) == 20


def test_the_join_cookie_is_signed_and_secure_behind_https(app, create_live_session):
    """Finding 10: live_join lacked Secure when secure cookies were on."""
    live = create_live_session()
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().get(f"/live/{live.code}")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("live_join="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "." in value  # value.signature


def test_an_expired_token_keeps_the_typed_proposal_with_a_fresh_token(
    csrf_app, db, create_live_session
):
    """Finding 8: the live form lost the typed proposal when its CSRF token expired."""
    live = create_live_session()
    client = csrf_app.test_client()
    client.get(f"/live/{live.code}")
    response = client.post(
        f"/live/{live.code}",
        data={"text": TEXT, "territory": "1", "consent": "y", "idempotency_key": "k" * 24},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "La sessione è scaduta" in page and TEXT in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    again = client.post(
        f"/live/{live.code}",
        data={"text": TEXT, "territory": "1", "consent": "y", "idempotency_key": "k" * 24,
              "csrf_token": token},
    )  # fmt: skip
    assert again.status_code == 303
    assert _stored(db) == 1


def test_a_phone_without_its_signed_identity_is_told_why_and_keeps_its_text(
    app, db, create_live_session
):
    live = create_live_session()
    phone = app.test_client()
    data = {"text": TEXT, "territory": "1", "consent": "y", "idempotency_key": "u" * 24}
    refused = phone.post(f"/live/{live.code}", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and _stored(db) == 0
    assert "Non riconosciamo questo telefono" in page and TEXT in page
    assert phone.post(f"/live/{live.code}", data=data).status_code == 303  # now identified
    assert _stored(db) == 1
