"""A phone's identity in the room: a random token in a signed cookie, and its rate-limit key.

The cookie is signed with the application's secret: a rewritten or invented one is no phone at
all (`phone_identity()` is None), so nobody can vote or support twice by editing it. Clearing the
cookie makes a new phone; the per-address caps (`phone_key` and the room's limit) bound that.
"""

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

JOIN_COOKIE = "live_join"
PHONE_SALT = "live-phone"
COOKIE_SECONDS = 86400


def _phone_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=PHONE_SALT)


def phone_identity() -> str | None:
    """The phone's identity from its signed join cookie; None when missing or forged."""
    raw = request.cookies.get(JOIN_COOKIE)
    if not raw:
        return None
    try:
        token = _phone_signer().loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def phone_key() -> str:
    """Rate-limit each phone (address and signed join cookie), so a room behind one NAT is not
    one phone; every request without a valid signature shares its address's one bucket."""
    return f"{request.remote_addr}:{phone_identity() or 'unsigned'}"


def set_phone_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        JOIN_COOKIE,
        _phone_signer().dumps(token),
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
