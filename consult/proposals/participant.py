"""Who is acting: the logged-in account, or an anonymous browser with a signed cookie."""

import secrets

from flask import current_app, g, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from consult.proposals.engagement import Participant

COOKIE = "consult_supporter"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="consult-supporter")


def current_participant() -> Participant:
    """The account if logged in, else this browser's token (a new one if it has none)."""
    if current_user.is_authenticated:
        return Participant(user_id=current_user.id)
    token = _cookie_token()
    if token is None:
        token = secrets.token_urlsafe(32)
        g.new_supporter_token = token
    return Participant(browser_token=token)


def _cookie_token() -> str | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        token = _serializer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) and 32 <= len(token) <= 64 else None


def remember_browser(response):
    """Give a browser that just acted its long-lived, signed, HTTP-only token."""
    token = g.pop("new_supporter_token", None)
    if token is not None and response.status_code < 400:
        response.set_cookie(
            COOKIE,
            _serializer().dumps(token),
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            samesite="Lax",
        )
    return response
