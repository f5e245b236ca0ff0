"""Pages made for one signed-in person are never stored by a browser or a proxy; public pages
read anonymously may be, briefly.

A shared computer's back button, or a caching proxy in a town hall, would otherwise show a
planner's review queue or a participant's data to the next person.
"""

from flask import Response, current_app, request, session
from flask_login import current_user


def keep_private_pages_out_of_caches(response: Response) -> Response:
    """After every request: ``no-store`` on HTML answered to a signed-in account."""
    if (
        response.mimetype == "text/html"
        and "Cache-Control" not in response.headers
        and current_user
        and current_user.is_authenticated
    ):
        response.headers["Cache-Control"] = "private, no-store"
    return response


# Public, read-only pages and open data: the same for every anonymous reader.
PUBLIC_BLUEPRINTS = {
    "public",
    "objectives",
    "statistics",
    "browse",
    "api",
    "api_accountability",
    "api_strategy",
    "strategy",
}


def let_public_pages_be_cached(response: Response) -> Response:
    """After every request: anonymous public pages get an ETag and a short public max-age.

    Only what an anonymous reader with an empty session gets (no form token, no message, no
    account), on a GET answered 200 in full; `Vary: Cookie` keeps a signed-in reader's page
    apart. A repeated request with the ETag gets 304 with no body. Today that is the open-data
    API: every HTML page carries a per-visitor CSRF token (the language switch, htmx's header),
    which must not be shared through a cache.
    """
    if not _publicly_cacheable(response):
        return response
    response.headers["Cache-Control"] = (
        f"public, max-age={current_app.config.get('PUBLIC_CACHE_SECONDS', 60)}"
    )
    response.vary.add("Cookie")
    response.add_etag()
    response.make_conditional(request)  # 304 and no body when the reader's copy is current
    return response


def _publicly_cacheable(response: Response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.is_streamed
        and "Cache-Control" not in response.headers
        and request.blueprint in PUBLIC_BLUEPRINTS
        and response.mimetype in ("text/html", "application/json")
        and not session
        and not (current_user and current_user.is_authenticated)
    )
