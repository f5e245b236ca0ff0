"""Absolute links come from BASE_URL, unknown hosts are refused, and only trusted proxies are
believed: a forged Host header cannot redirect a reset link or a QR code, and behind a proxy
each person keeps a rate-limit bucket of their own."""

import re

import pytest
from flask import url_for
from sqlmodel import SQLModel

from consult import create_app
from consult.extensions import limiter
from tests.consultation_client import HERE

BASE = "https://partecipa.example.it"


def test_a_forged_host_header_cannot_redirect_a_reset_link(app, client, create_user, mail_outbox):
    app.config["BASE_URL"] = BASE
    create_user(email="ada@example.org")
    client.post(
        "/account/password-dimenticata",
        data={"email": "ada@example.org"},
        headers={"Host": "evil.example"},
    )
    body = mail_outbox[0].get_content()
    assert f"{BASE}/account/reimposta/" in body
    assert "evil.example" not in body


def test_qr_codes_and_api_links_start_with_the_base_url(app, client, create_live_session):
    app.config["BASE_URL"] = BASE + "/"
    live = create_live_session(code="QRB234")
    svg = client.get(f"/live/{live.code}/qr.svg", headers={"Host": "evil.example"})
    assert f"{BASE}{HERE}/live/QRB234" in svg.get_data(as_text=True)
    assert "evil.example" not in svg.get_data(as_text=True)
    index = client.get("/api/v1/", headers={"Host": "evil.example"}).get_json()
    assert all(link.startswith(f"{BASE}{HERE}/api/") for link in index.values() if "://" in link)
    assert index["consultations"][0]["consultation"] == f"{BASE}{HERE}/api/v1/consultation"


def test_links_built_outside_a_request_use_the_base_url_too(app):
    app.config.update(BASE_URL=BASE, SERVER_NAME=None)
    with app.app_context():
        link = url_for("live.session_form", code="AB12CD", _anchor="invia", lingua="en")
    assert link == f"{BASE}/live/AB12CD?lingua=en#invia"


def test_without_a_base_url_links_follow_the_request_as_before(client, create_live_session):
    live = create_live_session(code="QRL234")
    assert f"http://localhost{HERE}/live/QRL234" in client.get(
        f"/live/{live.code}/qr.svg"
    ).get_data(as_text=True)


def test_hosts_outside_the_trusted_list_are_refused(app, client, consultation):
    app.config["TRUSTED_HOSTS"] = ["partecipa.example.it", "localhost"]
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "non è servito" in refused.get_data(as_text=True)
    assert client.get("/", headers={"Host": "partecipa.example.it"}).status_code == 200


@pytest.mark.parametrize("value", ["partecipa.example.it", "ftp://x.it", "https://x.it/?a=1"])
def test_an_unusable_base_url_stops_the_start_with_a_reason(value):
    with pytest.raises(RuntimeError, match="BASE_URL"):
        create_app({"TESTING": True, "BASE_URL": value, "SECRET_KEY": "k"})


def _proxied_app(tmp_path, proxies: int):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'proxied.sqlite3'}",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "TRUSTED_PROXIES": proxies,
        }
    )
    SQLModel.metadata.create_all(app.extensions["consult.engine"])
    return app


def _failed_logins(client, forwarded_for: str, count: int) -> list[int]:
    return [
        client.post(
            "/account/accedi",
            data={"email": "x@example.org", "password": "no"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for _ in range(count)
    ]


def test_behind_a_trusted_proxy_each_person_has_their_own_rate_limit(tmp_path):
    client = _proxied_app(tmp_path, proxies=1).test_client()
    try:
        assert _failed_logins(client, "203.0.113.7", 11)[-1] == 429
        assert _failed_logins(client, "203.0.113.8", 1) == [422]
    finally:
        limiter.reset()


def test_without_a_trusted_proxy_a_forged_forwarded_for_gives_no_fresh_bucket(tmp_path):
    client = _proxied_app(tmp_path, proxies=0).test_client()
    try:
        assert _failed_logins(client, "203.0.113.7", 10) == [422] * 10
        assert _failed_logins(client, "203.0.113.9", 1) == [429]
    finally:
        limiter.reset()


def test_a_trusted_proxy_passes_on_the_scheme_for_secure_links(tmp_path):
    app = _proxied_app(tmp_path, proxies=1)
    page = app.test_client().get("/api/v1/", headers={"X-Forwarded-Proto": "https"})
    assert re.match(r"https://localhost/api/", page.get_json()["objectives"])
