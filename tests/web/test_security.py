"""Security headers, cookies, request size, rate limits (memory and Redis), session fixation."""

import uuid
from html import unescape

import pytest
from flask import request
from sqlmodel import SQLModel, func, select

from consult import create_app
from consult.accounts.models import User
from consult.extensions import limiter
from tests.conftest import TEST_DATABASE_URL


def test_security_headers_on_every_page(client):
    response = client.get("/account/accedi")
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP in development


def test_hsts_and_secure_cookies_behind_https(app, create_user):
    app.config["SESSION_COOKIE_SECURE"] = True
    create_user(email="ada@example.org")
    client = app.test_client()
    response = client.post(
        "/account/accedi", data={"email": "ada@example.org", "password": "secret-password"}
    )
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    proxied = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in proxied.headers


@pytest.mark.parametrize("csrf", [False, True])
def test_one_megabyte_form_is_refused_with_413_and_nothing_stored(app, db, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    response = app.test_client().post(
        "/account/registrati",
        data={
            "email": "a@example.org",
            "display_name": "x" * 1024 * 1024,
            "password": "una frase lunga e facile",
            "privacy": "y",
        },
    )
    assert response.status_code == 413
    assert "Il contenuto inviato è troppo grande." in response.get_data(as_text=True)
    assert db.exec(select(func.count()).select_from(User)).one() == 0


def test_one_megabyte_json_body_is_refused(app):
    @app.post("/api/v1/_echo")
    def echo():
        return {"length": len(request.get_json()["text"])}

    client = app.test_client()
    assert client.post("/api/v1/_echo", json={"text": "x" * 1000}).json == {"length": 1000}
    response = client.post("/api/v1/_echo", json={"text": "x" * 1024 * 1024})
    assert response.status_code == 413
    assert response.is_json and "troppo grande" in response.json["error"]


def test_uploads_are_bounded_by_max_content_length(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    boundary = "consultboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="scan"; filename="s.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + b"y" * (1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/account/password-dimenticata",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413
    assert "troppo grande" in response.get_data(as_text=True)


def test_login_starts_a_fresh_session_keeping_the_language(client, create_user):
    create_user(email="ada@example.org")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["lang"] = "en"
    client.post("/account/accedi", data={"email": "ada@example.org", "password": "secret-password"})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["lang"] == "en"
        assert session["_user_id"] == "1:0"


@pytest.mark.rate_limited
def test_429_is_italian_html_with_retry_after(client):
    for _ in range(10):
        client.post("/account/accedi", data={"email": "x@example.org", "password": "n"})
    response = client.post("/account/accedi", data={"email": "x@example.org", "password": "n"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Troppe richieste in poco tempo" in unescape(response.get_data(as_text=True))


@pytest.mark.rate_limited
def test_429_is_json_for_the_api(app):
    @app.get("/api/v1/_limited")
    @limiter.limit("1 per minute")
    def limited():
        return {"ok": True}

    client = app.test_client()
    assert client.get("/api/v1/_limited").status_code == 200
    response = client.get("/api/v1/_limited")
    assert response.status_code == 429
    assert response.is_json and response.json["error"].startswith("Troppe richieste")
    assert "Retry-After" in response.headers


def _redis_or_skip():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    return client


def test_rate_limits_are_shared_through_redis(tmp_path):
    """Two app instances (two workers) count the same client together in Redis."""
    redis_client = _redis_or_skip()
    prefix = f"consult-test-{uuid.uuid4().hex[:8]}"
    config = {
        "TESTING": True,
        "DATABASE_URL": TEST_DATABASE_URL,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "RATELIMIT_KEY_PREFIX": prefix,
        "CONSULT_MODEL_DIR": str(tmp_path),
    }
    first, second = create_app(config), create_app(config)
    try:
        for app in (first, second):
            if TEST_DATABASE_URL.startswith("sqlite"):
                SQLModel.metadata.create_all(app.extensions["consult.engine"])
        form = {"email": "x@example.org", "password": "n"}
        statuses = [
            first.test_client().post("/account/accedi", data=form).status_code for _ in range(6)
        ]
        statuses += [
            second.test_client().post("/account/accedi", data=form).status_code for _ in range(5)
        ]
        assert statuses == [422] * 10 + [429]
        assert redis_client.keys(f"*{prefix}*")
    finally:
        for key in redis_client.scan_iter(f"*{prefix}*"):
            redis_client.delete(key)
        for app in (first, second):
            app.extensions["consult.engine"].dispose()
