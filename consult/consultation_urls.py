"""Each consultation's pages under ``/c/<slug>/``, with the views and templates unchanged.

The prefix is moved from the path to the script root before routing (as if the application
were mounted there once per consultation), so one URL map serves every consultation, request
URLs keep the prefix (login "next" links, the language switch) and ``url_for`` stays inside the
request's consultation. Site-wide pages (accounts, administration, static files, the API's root,
the language switch, signed notification links) live outside any prefix. The old unprefixed
addresses of a consultation's pages answer GET with a redirect to the default consultation's;
other methods are served for the default consultation, so forms already open keep working.
"""

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, abort, current_app, g, has_request_context, redirect, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from consult.db import ConnectionReleasingFlask
from consult.framework.context import (
    ROOT_KEY,
    SLUG_KEY,
    default_slug,
    find_current,
    requested_slug,
)
from consult.hosting import CanonicalFlask

PREFIX = re.compile(r"/c/([A-Za-z0-9][A-Za-z0-9_-]{0,119})(/.*)?\Z", re.DOTALL)
SITE_WIDE_BLUEPRINTS = frozenset({"accounts", "my_account", "user_admin", "admin", "notifications"})
SITE_WIDE_ENDPOINTS = frozenset({"static", "public.set_language", "api.index"})
# "/" without a prefix lists the site's consultations; "/c/<slug>/" is a consultation's home.
SITE_HOME = "public.home"


def is_scoped(endpoint: str) -> bool:
    """Whether `endpoint` is a page of one consultation (so its URL carries the prefix)."""
    if endpoint in SITE_WIDE_ENDPOINTS:
        return False
    blueprint = endpoint.partition(".")[0] if "." in endpoint else ""
    return bool(blueprint) and blueprint not in SITE_WIDE_BLUEPRINTS


class ConsultationPrefix:
    """WSGI middleware: ``/c/<slug>/rest`` becomes script root ``/c/<slug>``, path ``/rest``."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        match = PREFIX.match(environ.get("PATH_INFO") or "")
        if match:
            root = environ.get("SCRIPT_NAME", "")
            environ[ROOT_KEY] = root
            environ[SLUG_KEY] = match[1]
            environ["SCRIPT_NAME"] = f"{root}/c/{match[1]}"
            environ["PATH_INFO"] = match[2] or "/"
        return self.wsgi_app(environ, start_response)


def site_root() -> str:
    """The script root the request arrived with, without any consultation prefix."""
    if has_request_context():
        return request.environ.get(ROOT_KEY, request.script_root).rstrip("/")
    return (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")


def check_prefix() -> Response | None:
    """Before every request: a prefix naming no consultation, or a site-wide page under a
    prefix, is not found; an old unprefixed address of a page is sent to its new one."""
    endpoint = request.endpoint
    if endpoint is None:
        return None
    if requested_slug() is not None:
        if not is_scoped(endpoint) or find_current() is None:
            abort(404)
        return None
    if request.method not in ("GET", "HEAD") or endpoint == SITE_HOME or not is_scoped(endpoint):
        return None
    slug = default_slug()
    if slug is None:
        return None
    query = request.query_string.decode("latin-1")
    target = f"{site_root()}/c/{slug}{request.path}" + (f"?{query}" if query else "")
    return redirect(target, 302)


class ConsultationFlask(ConnectionReleasingFlask, CanonicalFlask):
    """Flask whose ``url_for`` keeps a consultation's links under its prefix.

    ``_consultation=<slug>`` links to another consultation's page; ``_site=True`` to the site's
    own home (the list of consultations) rather than the consultation's.
    """

    def url_for(  # type: ignore[override]
        self,
        /,
        endpoint: str,
        *,
        _consultation: str | None = None,
        _site: bool = False,
        **values: Any,
    ) -> str:
        url = super().url_for(endpoint, **values)
        name = endpoint
        if name.startswith(".") and has_request_context() and request.blueprint:
            name = request.blueprint + name
        here = requested_slug()
        wanted = None
        if is_scoped(name) and not _site:
            wanted = _consultation or here or _default_for_links()
        if wanted == here:
            return url
        return _move_prefix(url, here, wanted)


def _default_for_links() -> str | None:
    """The default consultation's slug, once per request; None while the database is down
    (links then take the old unprefixed addresses, which redirect once it is back)."""
    if "consult_link_slug" not in g:
        try:
            g.consult_link_slug = default_slug()
        except SQLAlchemyError:
            g.consult_link_slug = None
    return g.consult_link_slug


def _move_prefix(url: str, here: str | None, wanted: str | None) -> str:
    parts = urlsplit(url)
    base = current_app.config.get("BASE_URL")
    root = urlsplit(base).path.rstrip("/") if base and parts.netloc else site_root()
    old = root + (f"/c/{here}" if here else "")
    if not parts.path.startswith(old):
        return url
    path = root + (f"/c/{wanted}" if wanted else "") + parts.path[len(old) :]
    return urlunsplit(parts._replace(path=path))


def mount(app: Flask) -> None:
    """Serve every consultation's prefix (before ProxyFix wraps the app: it may set the root)."""
    app.wsgi_app = ConsultationPrefix(app.wsgi_app)  # type: ignore[method-assign]
