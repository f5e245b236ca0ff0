"""Loading users for Flask-Login and guarding staff routes by role."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from consult import db
from consult.accounts import services as accounts
from consult.accounts.models import User


def load_user(user_id: str) -> User | None:
    """Resolve the "id:version" cookie value; a bumped version logs the session out."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        user = accounts.user_by_id(db.session(), int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or str(user.session_version) != raw_version or not user.active:
        return None
    return user


def role_required(*roles: str) -> Callable:
    """Allow only logged-in users having one of `roles` (admins always pass)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


LOGIN_MESSAGE = _l("Accedi per continuare.")
