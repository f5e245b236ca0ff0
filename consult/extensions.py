"""Flask extensions, created once and bound in the factory."""

from collections.abc import Sequence

from flask import request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from jinja2.utils import htmlsafe_json_dumps

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "font-src": ["'self'", "data:"],
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


# Features a consultation site never needs are switched off for every page and frame;
# fullscreen stays available to our own pages (the projector view).
PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
    "browsing-topics": "()",
    "fullscreen": "(self)",
}
HSTS_VALUE = "max-age=31536000; includeSubDomains"


class HtmlSafeJSONProvider(DefaultJSONProvider):
    """Every JSON answer writes <, >, & and ' as \\u escapes: what people typed stays inert even
    if a browser sniffs the answer or a page embeds it."""

    def dumps(self, obj, **kwargs) -> str:
        return str(htmlsafe_json_dumps(obj, dumps=super().dumps, **kwargs))


# Blueprints whose forms are only a few kilobytes get a tighter body limit; their modules register
# it here, because CSRF reads the form in an app-level hook, before any blueprint's own hooks.
SMALL_FORM_LIMITS: dict[str, int] = {}


def limit_body_size() -> None:
    """Text forms and JSON never need megabytes: only multipart uploads get MAX_CONTENT_LENGTH."""
    from flask import current_app

    config = current_app.config
    limit = config["MAX_CONTENT_LENGTH"]
    if request.mimetype != "multipart/form-data":
        limit = min(limit, config["MAX_FORM_MEMORY_SIZE"])
    if request.blueprint in SMALL_FORM_LIMITS:
        limit = min(limit, SMALL_FORM_LIMITS[request.blueprint])
    request.max_content_length = limit


BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def read_body_before_the_database() -> None:
    """Read a request's body before anything takes a database connection.

    A phone on a slow network (or a client writing the headers, then the body) sends the body
    after the headers; the first hooks read the consultation from the database, so a request
    waiting for its body held one of the pool's connections meanwhile, and a room of phones
    posting at once emptied the pool (503 after 30 s). Reading it here waits without one.
    """
    if request.method not in BODY_METHODS or not request.content_length:
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.form  # noqa: B018 - parses (and for uploads spools) the body now, once
    else:
        request.get_data(cache=True)


def extra_security_headers(response):
    """Isolate our windows from cross-origin openers; send HSTS whenever cookies are Secure."""
    from flask import current_app

    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers.setdefault("Strict-Transport-Security", HSTS_VALUE)
    return response


# The language code people choose -> the locale that formats numbers and dates (British English:
# 03/12/2026, not 12/3/26). Translations of "en_GB" come from the "en" catalogue.
FORMAT_LOCALES = {"en": "en_GB"}


def select_locale() -> str:
    """The language chosen with the switch, else the account's, else the browser's, else Italian
    (as its formatting locale)."""
    language = _select_language()
    return FORMAT_LOCALES.get(language, language)


def page_language() -> str:
    """The language code of the page ("it", "en"): what accounts and follows remember."""
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "it"


def _select_language() -> str:
    from flask import current_app
    from flask_login import current_user

    languages: Sequence[str] = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or languages[0]
