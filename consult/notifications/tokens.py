"""Signed links that work without an account: confirm a follow, unsubscribe, manage."""

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

CONFIRM_MAX_AGE = 7 * 24 * 3600
SALTS = {
    "confirm": "consult-follow-confirm",
    "unsubscribe": "consult-unsubscribe",
    "manage": "consult-notification-preferences",
}


def make(secret: str, purpose: str, email: str, follow_id: int | None = None) -> str:
    data = {"e": email, "f": follow_id}
    if purpose == "confirm":
        return URLSafeTimedSerializer(secret, salt=SALTS[purpose]).dumps(data)
    return URLSafeSerializer(secret, salt=SALTS[purpose]).dumps(data)


def read(secret: str, purpose: str, token: str) -> tuple[str, int | None] | None:
    """The address and follow a token names, or None when it is forged, mangled or expired."""
    if not token or len(token) > 400:
        return None
    try:
        if purpose == "confirm":
            data: Any = URLSafeTimedSerializer(secret, salt=SALTS[purpose]).loads(
                token, max_age=CONFIRM_MAX_AGE
            )
        else:
            data = URLSafeSerializer(secret, salt=SALTS[purpose]).loads(token)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("e"), str):
        return None
    follow = data.get("f")
    return data["e"], follow if isinstance(follow, int) else None
