"""Who is acting: the logged-in account, or an anonymous browser with a signed cookie; and how
much an anonymous browser may do.

A fresh browser has no cookie, so the token alone bounds nothing: each anonymous support or
report also spends an allowance of the client address (hashed with the secret key, never
stored in clear). The allowances live in the rate limiter's storage (`RATELIMIT_STORAGE_URI`:
Redis in production, shared by every worker) and are read from these config keys, each a
Flask-Limiter limit string; an empty string switches one off:

- `ANONYMOUS_SUPPORTS_PER_ADDRESS_AND_PROPOSAL` (default "5 per day"): anonymous supports one
  address may give one proposal; past it, people are asked to log in.
- `ANONYMOUS_SUPPORTS_PER_ADDRESS` (default "100 per day"): across every proposal.
- `ANONYMOUS_SUPPORTS_PER_BROWSER` (default "100 per day"): per browser token.
- `ANONYMOUS_REPORTS_PER_ADDRESS` (default "20 per day") and
  `ANONYMOUS_REPORTS_PER_BROWSER` (default "10 per day"): the same for abuse reports.
"""

import hashlib
import hmac
import secrets

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from consult.proposals.engagement import Participant

COOKIE = "consult_supporter"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
# kind: (config key, default, whether the proposal is part of the key, what is counted)
ALLOWANCES = {
    "support": (
        ("ANONYMOUS_SUPPORTS_PER_ADDRESS_AND_PROPOSAL", "5 per day", True, "address"),
        ("ANONYMOUS_SUPPORTS_PER_ADDRESS", "100 per day", False, "address"),
        ("ANONYMOUS_SUPPORTS_PER_BROWSER", "100 per day", False, "browser"),
    ),
    "report": (
        ("ANONYMOUS_REPORTS_PER_ADDRESS", "20 per day", False, "address"),
        ("ANONYMOUS_REPORTS_PER_BROWSER", "10 per day", False, "browser"),
    ),
}


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt="consult-supporter")


def current_participant() -> Participant:
    """The account if logged in, else this browser's token (a new one if it has none)."""
    if current_user.is_authenticated:
        return Participant(user_id=current_user.id)
    token = g.get("new_supporter_token") or _cookie_token()
    if token is None:
        token = secrets.token_urlsafe(32)
        g.new_supporter_token = token
    return Participant(browser_token=token)


def known_participant() -> Participant | None:
    """The account or a browser that already has a token; None for a first visit."""
    if current_user.is_authenticated or request.cookies.get(COOKIE):
        return current_participant()
    return None


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


def anonymous_allowance(kind: str, who: Participant, item_id: int | None = None) -> bool:
    """Spend one anonymous `kind` ("support" or "report") of this address and browser; False,
    spending nothing, when one of them has none left."""
    keys = {"address": _keyed(get_remote_address() or ""), "browser": who.token_hash or ""}
    checks = []
    for config_key, default, per_item, counted in ALLOWANCES[kind]:
        text = current_app.config.get(config_key, default)
        if not text:
            continue
        identity = [config_key, keys[counted]] + ([str(item_id)] if per_item else [])
        checks += [(limit, identity) for limit in parse_many(text)]
    window = _window()
    if not all(window.test(limit, *identity) for limit, identity in checks):
        return False
    return all([window.hit(limit, *identity) for limit, identity in checks])


def _keyed(address: str) -> str:
    """The address as a keyed hash: the limiter's storage never holds who visited."""
    secret = str(current_app.secret_key).encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


def _window() -> FixedWindowRateLimiter:
    """One limiter per app on the rate limiter's storage."""
    window = current_app.extensions.get("consult.anonymous_allowances")
    if window is None:
        storage = storage_from_string(current_app.config.get("RATELIMIT_STORAGE_URI", "memory://"))
        window = current_app.extensions["consult.anonymous_allowances"] = FixedWindowRateLimiter(
            storage
        )
    return window
